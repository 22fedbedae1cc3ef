import Testing

@testable import DNS

/// The UDP threads keep the answers to plain queries (`DNSAnswerCache`): what a client sees must
/// be what the server would answer without them, address rotation and zone changes included.
@Suite(.serialized) struct DNSAnswerCacheTests {
    private func withServer(_ body: (Int, ZoneStore) async throws -> Void) async throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let server = DNSServer(
            configuration: DNSServerConfiguration(host: "127.0.0.1", port: 0, udpSockets: 1), store: store,
            responder: AuthoritativeResponder(counter: RoundRobinCounter()))
        let port = try #require(try await server.start().port)
        do {
            try await body(port, store)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func ask(
        _ socket: TestDNSSocket, _ owner: String, _ type: RecordType = .a, id: UInt16, edns: EDNS? = nil
    ) async throws -> DNSMessage {
        let query = DNSMessage(id: id, questions: [Question(name: name(owner), type: type)], edns: edns)
        return try #require(try await socket.exchangeUDP(query)).message
    }

    private func lastOctets(_ message: DNSMessage) -> [UInt8] {
        message.answers.compactMap { record in
            guard case .a(let address) = record.data else { return nil }
            return address.octets.3
        }
    }

    @Test func repeatedQueriesTurnTheAddressSetOnceEach() async throws {
        try await withServer { port, _ in
            let socket = try TestDNSSocket(tcp: false, port: port)
            var orders: [[UInt8]] = []
            for id in 1...6 {
                let answer = try await ask(socket, "www.example.org", id: UInt16(id))
                #expect(answer.id == UInt16(id))
                orders.append(lastOctets(answer))
            }
            // The counter starts at 0: zone order, then turned by one more each time.
            #expect(orders == [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3], [2, 3, 1], [3, 1, 2]])
        }
    }

    @Test func aCNAMEAnswerTurnsItsTargetsSet() async throws {
        try await withServer { port, _ in
            let socket = try TestDNSSocket(tcp: false, port: port)
            let first = try await ask(socket, "alias.example.org", id: 1)
            let second = try await ask(socket, "alias.example.org", id: 2)
            #expect(first.answers.first?.type == .cname && second.answers.first?.type == .cname)
            #expect(lastOctets(first) == [1, 2, 3])
            #expect(lastOctets(second) == [2, 3, 1])
        }
    }

    @Test func aChangedZoneIsAnsweredAtOnce() async throws {
        try await withServer { port, store in
            let socket = try TestDNSSocket(tcp: false, port: port)
            #expect(try await ask(socket, "new.example.org", id: 1).responseCode == .nameError)
            #expect(try await ask(socket, "new.example.org", id: 2).responseCode == .nameError)
            store.replace(ZoneFixtures.exampleOrg(serial: 101, extra: [ZoneFixtures.a("new.example.org", 9)]))
            let answer = try await ask(socket, "new.example.org", id: 3)
            #expect(answer.responseCode == .noError)
            #expect(lastOctets(answer) == [9])
            #expect(store.remove(name("example.org")))
            #expect(try await ask(socket, "new.example.org", id: 4).responseCode == .refused)
        }
    }

    @Test func eachQueryShapeGetsItsOwnAnswer() async throws {
        try await withServer { port, _ in
            let socket = try TestDNSSocket(tcp: false, port: port)
            for round in 0..<2 {
                let id = UInt16(round * 10)
                let plain = try await ask(socket, "www.example.org", id: id + 1)
                #expect(plain.edns == nil)
                let edns = try await ask(socket, "www.example.org", id: id + 2, edns: EDNS(udpPayloadSize: 4096))
                #expect(edns.edns?.udpPayloadSize == AuthoritativeResponder.payloadSize)
                #expect(edns.edns?.dnssecOK == false)
                let dnssec = try await ask(
                    socket, "www.example.org", id: id + 3, edns: EDNS(udpPayloadSize: 4096, dnssecOK: true))
                #expect(dnssec.edns?.dnssecOK == true)
                let badVersion = try await ask(socket, "www.example.org", id: id + 4, edns: EDNS(version: 1))
                #expect(badVersion.responseCode == .badVersion)
                let shouting = try await ask(socket, "WWW.Example.ORG", id: id + 5)
                #expect(shouting.questions.first?.name.wireLabels.first == Array("WWW".utf8))
                #expect(shouting.answers.count == 3)
                let aaaa = try await ask(socket, "www.example.org", .aaaa, id: id + 6)
                #expect(aaaa.answers.map(\.type) == [.aaaa])
            }
        }
    }

    @Test func aTruncatedAnswerIsAnsweredAfreshEachTime() async throws {
        try await withServer { port, _ in
            let socket = try TestDNSSocket(tcp: false, port: port)
            let first = try await ask(socket, "pool.example.org", id: 1)
            let second = try await ask(socket, "pool.example.org", id: 2)
            #expect(first.isTruncated && second.isTruncated)
            #expect(second.id == 2)
        }
    }

    @Test func onlyTheSimplestQueriesAreKept() throws {
        let plain = try DNSMessage(id: 1, questions: [Question(name: name("www.example.org"), type: .a)])
            .encode()
        let withEDNS = try DNSMessage(
            id: 1, questions: [Question(name: name("www.example.org"), type: .a)], edns: EDNS()
        ).encode()
        let withOption = try DNSMessage(
            id: 1, questions: [Question(name: name("www.example.org"), type: .a)],
            edns: EDNS(options: [EDNSOption(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])])
        ).encode()
        let transfer = try DNSMessage(id: 1, questions: [Question(name: name("example.org"), type: .axfr)])
            .encode()
        let response = try DNSMessage(
            id: 1, isResponse: true, questions: [Question(name: name("www.example.org"), type: .a)]
        ).encode()
        var compressed = plain
        // The question's name as a pointer to itself: not the simple shape.
        compressed.replaceSubrange(12..<29, with: [0xC0, 12])
        func cacheable(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { DNSAnswerCache.isCacheable($0) } }
        #expect(cacheable(plain))
        #expect(cacheable(withEDNS))
        #expect(!cacheable(withOption))
        #expect(!cacheable(transfer))
        #expect(!cacheable(response))
        #expect(!cacheable(compressed))
        #expect(!cacheable(plain + [0]))
        #expect(!cacheable(Array(plain.dropLast())))
    }

    @Test func aKeptAnswerServesItsVersionOnlyAndSurvivesAFullArena() throws {
        let cache = DNSAnswerCache(seed: 1)
        func query(_ index: Int, id: UInt16) throws -> [UInt8] {
            try DNSMessage(id: id, questions: [Question(name: name("host\(index).example.org"), type: .a)])
                .encode()
        }
        func response(_ index: Int) throws -> [UInt8] {
            let question = Question(name: name("host\(index).example.org"), type: .a)
            let answers = (1...3).map { last in
                ResourceRecord(
                    name: question.name, ttl: 60, data: .a(IPv4Address(10, 0, UInt8(index % 256), last)))
            }
            return try DNSMessage(id: 0, isResponse: true, questions: [question], answers: answers).encode()
        }
        func answer(_ request: [UInt8], version: UInt64, rotation: Int = 0) -> DNSMessage? {
            var output = [UInt8](repeating: 0, count: 1232)
            let length = request.withUnsafeBytes { request in
                output.withUnsafeMutableBytes { output in
                    cache.answer(request, version: version, into: output, rotation: { rotation })
                }
            }
            return length.flatMap { try? DNSMessage(decoding: Array(output[..<$0])) }
        }
        let first = try query(0, id: 5)
        #expect(try first.withUnsafeBytes { cache.insert($0, version: 3, wire: try response(0)) })
        let kept = try #require(answer(query(0, id: 77), version: 3, rotation: 1))
        #expect(kept.id == 77)
        #expect(
            kept.answers.map { record -> UInt8 in
                guard case .a(let address) = record.data else { return 0 }
                return address.octets.3
            } == [2, 3, 1])
        #expect(answer(first, version: 4) == nil)
        #expect(answer(try query(1, id: 5), version: 3) == nil)
        // About 100 octets each: far more than the arena holds, so it is emptied on the way.
        let count = 2 * DNSAnswerCache.arenaSize / 100
        for index in 1...count {
            _ = try query(index, id: 1).withUnsafeBytes {
                cache.insert($0, version: 3, wire: try response(index))
            }
        }
        #expect(answer(try query(count, id: 9), version: 3)?.id == 9)
        #expect(answer(first, version: 3) == nil)
    }
}
