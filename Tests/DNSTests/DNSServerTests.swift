import Foundation
import LBCore
import Testing

@testable import DNS

@Suite(.serialized) struct DNSServerTests {
    private func withServer(
        idleTimeout: Int64 = 10, transferSources: Set<String> = [], maximumTCPConnections: Int = 256,
        udpSockets: Int = 1, _ body: (Int) async throws -> Void
    ) async throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        store.replace(ZoneFixtures.subExampleOrg())
        let server = DNSServer(
            configuration: DNSServerConfiguration(
                host: "127.0.0.1", port: 0, udpSockets: udpSockets, tcpIdleTimeout: .seconds(idleTimeout),
                maximumTCPConnections: maximumTCPConnections, transferSources: transferSources),
            store: store)
        let address = try await server.start()
        let port = try #require(address.port)
        do {
            try await body(port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func query(_ owner: String, _ type: RecordType, id: UInt16 = 7, edns: EDNS? = nil) -> DNSMessage {
        DNSMessage(id: id, questions: [Question(name: name(owner), type: type)], edns: edns)
    }

    @Test func answersOverUDP() async throws {
        try await withServer { port in
            let socket = try TestDNSSocket(tcp: false, port: port)
            let response = try #require(try await socket.exchangeUDP(query("www.example.org", .a))).message
            #expect(response.id == 7)
            #expect(response.isAuthoritative)
            #expect(response.answers.count == 3)
        }
    }

    @Test func answersSeveralQueriesOnOneTCPConnection() async throws {
        try await withServer { port in
            let socket = try TestDNSSocket(tcp: true, port: port)
            for id in UInt16(1)...3 {
                let response = try #require(
                    try await socket.exchangeTCP(query("www.example.org", .aaaa, id: id)))
                #expect(response.id == id)
                #expect(response.answers.count == 1)
            }
            let missing = try #require(try await socket.exchangeTCP(query("nothing.example.org", .a)))
            #expect(missing.responseCode == .nameError)
        }
    }

    @Test func aLargeAnswerIsTruncatedOverUDPAndWholeOverTCP() async throws {
        try await withServer { port in
            let udp = try TestDNSSocket(tcp: false, port: port)
            let plain = try #require(try await udp.exchangeUDP(query("pool.example.org", .a)))
            #expect(plain.message.isTruncated)
            #expect(plain.size <= 512)
            let withEDNS = try #require(
                try await udp.exchangeUDP(query("pool.example.org", .a, edns: EDNS(udpPayloadSize: 4096))))
            #expect(withEDNS.message.isTruncated)
            // Capped at our 1232 octets even though the client offers 4096.
            #expect(withEDNS.size <= 1232)
            #expect(withEDNS.size > 512)
            #expect(withEDNS.message.edns?.udpPayloadSize == 1232)
            let tcp = try TestDNSSocket(tcp: true, port: port)
            let whole = try #require(try await tcp.exchangeTCP(query("pool.example.org", .a)))
            #expect(!whole.isTruncated)
            #expect(whole.answers.count == 200)
        }
    }

    @Test func malformedPacketsAreDroppedOrAnsweredFORMERR() async throws {
        try await withServer { port in
            let socket = try TestDNSSocket(tcp: false, port: port)
            // A readable header followed by garbage: FORMERR with the same ID.
            socket.send([0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xFF])
            let reply = try DNSMessage(decoding: try #require(await socket.receiveDatagram()))
            #expect(reply.id == 0xABCD)
            #expect(reply.responseCode == .formatError)
            #expect(reply.recursionDesired)
            // Too short for a header: nothing, then a real query is still answered.
            socket.send([1, 2, 3])
            let response = try #require(try await socket.exchangeUDP(query("www.example.org", .a, id: 99)))
            #expect(response.message.id == 99)
        }
    }

    @Test func randomDatagramsLeaveTheServerAnswering() async throws {
        try await withServer { port in
            let junk = try TestDNSSocket(tcp: false, port: port)
            var random = SeededRandomNumberGenerator(seed: 0x5EED)
            for index in 0..<5000 {
                let count = Int(random.next() % 600)
                var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                // Half start with a plausible query header, to reach deeper into the decoder.
                if index % 2 == 0, bytes.count >= 12 {
                    bytes[2] &= 0x79
                    bytes[4] = 0
                    bytes[5] = 1
                }
                junk.send(bytes)
                if index % 500 == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
            // The kernel may drop datagrams while the server drains the backlog of junk (the
            // socket buffer overflows on a loaded machine), so the query is retried: what matters
            // is that the server answers again.
            let socket = try TestDNSSocket(tcp: false, port: port)
            var answered: (message: DNSMessage, size: Int)?
            for _ in 0..<20 where answered == nil {
                answered = try await socket.exchangeUDP(query("www.example.org", .a, id: 4242))
            }
            let response = try #require(answered)
            #expect(response.message.id == 4242)
            #expect(response.message.answers.count == 3)
        }
    }

    @Test func randomBytesOnTCPOnlyCloseThatConnection() async throws {
        try await withServer { port in
            let bad = try TestDNSSocket(tcp: true, port: port)
            var random = SeededRandomNumberGenerator(seed: 42)
            bad.send((0..<3000).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            let good = try TestDNSSocket(tcp: true, port: port)
            let response = try #require(try await good.exchangeTCP(query("www.example.org", .a)))
            #expect(response.answers.count == 3)
        }
    }

    @Test func aSilentTCPClientDoesNotBlockOthers() async throws {
        try await withServer(idleTimeout: 1) { port in
            let silent = try TestDNSSocket(tcp: true, port: port)
            let partial = try TestDNSSocket(tcp: true, port: port)
            partial.send([0x00, 0x40, 0x12])
            for _ in 0..<3 {
                let udp = try TestDNSSocket(tcp: false, port: port)
                #expect(try await udp.exchangeUDP(query("www.example.org", .a)) != nil)
                let tcp = try TestDNSSocket(tcp: true, port: port)
                #expect(try await tcp.exchangeTCP(query("www.example.org", .a)) != nil)
            }
            // The idle timeout closes the silent connection: the read sees the end of stream.
            #expect(await silent.receive(exactly: 1) == nil)
        }
    }

    @Test func connectionsBeyondTheLimitAreClosedAtOnce() async throws {
        try await withServer(maximumTCPConnections: 3) { port in
            let held = try (0..<3).map { _ in try TestDNSSocket(tcp: true, port: port) }
            // Each answered, so each was accepted and counted before the next connection comes:
            // on a busy machine the server could otherwise accept that one first.
            for socket in held {
                #expect(try await socket.exchangeTCP(query("www.example.org", .a))?.answers.count == 3)
            }
            let extra = try TestDNSSocket(tcp: true, port: port, timeout: 2)
            // Closed without an answer (an open connection would answer within the timeout).
            #expect(try await extra.exchangeTCP(query("www.example.org", .a)) == nil)
            // UDP is not limited, and the held connections keep working.
            let udp = try TestDNSSocket(tcp: false, port: port)
            #expect(try await udp.exchangeUDP(query("www.example.org", .a)) != nil)
            #expect(try await held[2].exchangeTCP(query("www.example.org", .aaaa))?.answers.count == 1)
            // A closed connection frees its place.
            shutdown(held[1].descriptor, Int32(SHUT_RDWR))
            var answered = false
            for _ in 0..<50 where !answered {
                let next = try TestDNSSocket(tcp: true, port: port, timeout: 2)
                answered = (try? await next.exchangeTCP(query("www.example.org", .a))) != nil
                if !answered { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(answered)
        }
    }

    @Test func aQueryLongerThanNIOsDefaultBufferIsReadWhole() async throws {
        try await withServer { port in
            // 3,000 octets of EDNS padding (option 12): NIO's default 2 KiB read would cut it.
            let padding = EDNSOption(code: 12, data: [UInt8](repeating: 0, count: 3000))
            let padded = query("www.example.org", .a, id: 31, edns: EDNS(options: [padding]))
            let udp = try TestDNSSocket(tcp: false, port: port)
            let answer = try #require(try await udp.exchangeUDP(padded))
            #expect(answer.message.responseCode == .noError)
            #expect(answer.message.answers.count == 3)
        }
    }

    @Test func severalUDPSocketsShareThePort() async throws {
        try await withServer(udpSockets: 2) { port in
            // Each new socket has a new source port, which the kernel hashes to either listener.
            for index in 0..<20 {
                let udp = try TestDNSSocket(tcp: false, port: port)
                let answer = try #require(
                    try await udp.exchangeUDP(query("www.example.org", .a, id: UInt16(index))))
                #expect(answer.message.id == UInt16(index))
            }
        }
    }

    @Test func anOversizedTCPFrameClosesTheConnection() async throws {
        try await withServer { port in
            let socket = try TestDNSSocket(tcp: true, port: port)
            socket.send([0xFF, 0xFF] + [UInt8](repeating: 0, count: 100))
            #expect(await socket.receive(exactly: 1) == nil)
        }
    }

    @Test func stopClosesBothSockets() async throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let server = DNSServer(configuration: DNSServerConfiguration(), store: store)
        let port = try #require(try await server.start().port)
        let open = try TestDNSSocket(tcp: true, port: port)
        await server.stop()
        #expect(await open.receive(exactly: 1) == nil)
        #expect(throws: (any Error).self) { try TestDNSSocket(tcp: true, port: port) }
        let udp = try TestDNSSocket(tcp: false, port: port, timeout: 1)
        #expect(try await udp.exchangeUDP(query("www.example.org", .a)) == nil)
    }

    @Test func axfrSendsSOARecordsSOAToAllowedSources() async throws {
        try await withServer(transferSources: ["127.0.0.1"]) { port in
            let socket = try TestDNSSocket(tcp: true, port: port)
            let first = try #require(try await socket.exchangeTCP(query("example.org", .axfr, id: 5)))
            #expect(first.id == 5)
            #expect(first.responseCode == .noError)
            #expect(first.isAuthoritative)
            #expect(first.questions.count == 1)
            var records = first.answers
            while records.count < 2 || records.last?.type != .soa {
                let next = try #require(try await socket.receiveFramed())
                #expect(next.id == 5)
                #expect(!next.isTruncated)
                records += next.answers
            }
            let zone = ZoneFixtures.exampleOrg()
            #expect(records.first == zone.soaRecord)
            #expect(records.last == zone.soaRecord)
            #expect(Array(records.dropFirst().dropLast()) == zone.recordsWithoutSOA)
            // The connection still answers queries after a transfer.
            #expect(try await socket.exchangeTCP(query("www.example.org", .a))?.answers.count == 3)
        }
    }

    @Test func axfrIsRefusedToOtherSourcesAndBelowTheApex() async throws {
        try await withServer { port in
            let socket = try TestDNSSocket(tcp: true, port: port)
            #expect(try await socket.exchangeTCP(query("example.org", .axfr))?.responseCode == .refused)
        }
        try await withServer(transferSources: ["127.0.0.1"]) { port in
            let socket = try TestDNSSocket(tcp: true, port: port)
            #expect(try await socket.exchangeTCP(query("www.example.org", .axfr))?.responseCode == .notAuth)
            let udp = try TestDNSSocket(tcp: false, port: port)
            #expect(try await udp.exchangeUDP(query("example.org", .axfr))?.message.responseCode == .refused)
        }
    }

    @Test func aLargeTransferIsSplitIntoSeveralMessages() async throws {
        let records = (0..<3000).map { index in
            ResourceRecord(
                name: name("h\(index).example.org"), ttl: 60,
                data: .a(IPv4Address(10, 2, UInt8(index / 256), UInt8(index % 256))))
        }
        let zone = ZoneFixtures.exampleOrg(extra: records)
        let request = query("example.org", .axfr)
        let messages = try #require(
            ZoneTransfer.messages(answering: request, records: ZoneTransfer.fullRecords(of: zone)))
        #expect(messages.count > 1)
        #expect(messages.allSatisfy { $0.count <= ZoneTransfer.messageSize })
        let decoded = try messages.map { try DNSMessage(decoding: $0) }
        #expect(decoded.allSatisfy { !$0.isTruncated })
        #expect(decoded.dropFirst().allSatisfy { $0.questions.isEmpty })
        #expect(decoded.flatMap(\.answers).count == zone.recordsWithoutSOA.count + 2)
    }

    @Test func aStoppedServersPortCanBeTakenAgainAtOnce() async throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let first = DNSServer(configuration: DNSServerConfiguration(), store: store)
        let port = try #require(try await first.start().port)
        let socket = try TestDNSSocket(tcp: true, port: port)
        #expect(try await socket.exchangeTCP(query("www.example.org", .a)) != nil)
        await first.stop()
        let second = DNSServer(configuration: DNSServerConfiguration(port: port), store: store)
        try await second.start()
        let udp = try TestDNSSocket(tcp: false, port: port)
        #expect(try await udp.exchangeUDP(query("www.example.org", .a)) != nil)
        await second.stop()
    }
}
