import NIOCore

/// The server's request path without sockets, over a small zone, with valid messages to mutate:
/// what `lbbench fuzz` and the fuzz sample tests drive. The TCP path is the server's own frame
/// decoder (to be put in a channel) feeding the same processor.
package struct DNSFuzzProbe: Sendable {
    package static let origin = "lb.example.org"
    /// The TSIG clock is fixed so that signed seeds stay valid for the whole run.
    package static let clock = TSIGClock.fixed(1_800_000_000)
    package static let key = TSIGKey(
        name: try! DomainName(parsing: "fuzz-key"), algorithm: .hmacSHA256, secret: Array(1...32))

    private let processor: DNSQueryProcessor
    package let configuration: DNSServerConfiguration
    /// Requests of every kind the server handles (queries with and without EDNS, signed queries,
    /// AXFR, IXFR, UPDATE, NOTIFY).
    package let requests: [[UInt8]]
    /// Responses with records of every type, the client's and the secondary's input.
    package let responses: [[UInt8]]

    package init() {
        let store = ZoneStore()
        store.replace(Self.zone(serial: 100, members: 40))
        store.replace(Self.zone(serial: 101, members: 41))
        configuration = DNSServerConfiguration(
            transferSources: ["127.0.0.1"], transferKeys: [Self.key], updateKeys: [Self.key])
        processor = DNSQueryProcessor(
            store: store, responder: AuthoritativeResponder(), configuration: configuration, clock: Self.clock
        )
        requests = Self.requestSeeds()
        responses = Self.responseSeeds()
    }

    /// The UDP answer to `datagram` (cut to the size its EDNS asks, 512 without), or nil.
    package func answerUDP(_ datagram: [UInt8], source: SocketAddress? = nil) -> [UInt8]? {
        let ceiling = configuration.maximumUDPResponseSize
        return processor.process(datagram, source: source) { request in
            guard let edns = request?.edns else { return 512 }
            return min(ceiling, max(512, Int(edns.udpPayloadSize)))
        }
    }

    /// The TCP answers to one framed message's bytes, as the server's connection handler gets them.
    package func answerTCP(_ message: [UInt8], source: SocketAddress? = nil) -> [[UInt8]] {
        processor.processStream(message, source: source)
    }

    /// A new instance of the server's TCP framing decoder, for a channel that stands for one
    /// connection.
    package func makeFrameDecoder() -> any ChannelHandler {
        ByteToMessageHandler(DNSTCPFrameDecoder(maximumSize: configuration.maximumTCPQuerySize))
    }

    private static func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }

    private static func zone(serial: UInt32, members: Int) -> Zone {
        let soa = StartOfAuthority(
            primaryServer: name("ns1.\(origin)"), responsibleMailbox: name("hostmaster.\(origin)"),
            serial: serial,
            refresh: 600, retry: 60, expire: 86400, minimum: 60)
        var records = [
            ResourceRecord(name: name(origin), ttl: 3600, data: .ns(name("ns1.\(origin)"))),
            ResourceRecord(name: name("ns1.\(origin)"), ttl: 3600, data: .a(IPv4Address(192, 0, 2, 53))),
            ResourceRecord(name: name("www.\(origin)"), ttl: 60, data: .cname(name("pool.\(origin)"))),
            ResourceRecord(name: name("txt.\(origin)"), ttl: 60, data: .text("v=1 fuzz")),
        ]
        for index in 0..<members {
            records.append(
                ResourceRecord(
                    name: name("pool.\(origin)"), ttl: 30,
                    data: .a(IPv4Address(10, 0, UInt8(index / 256), UInt8(index % 256)))))
            records.append(
                ResourceRecord(
                    name: name("pool.\(origin)"), ttl: 30,
                    data: .aaaa(IPv6Address("2001:db8::\(String(index + 1, radix: 16))")!)))
        }
        return try! Zone(origin: name(origin), soa: soa, records: records)
    }

    private static func requestSeeds() -> [[UInt8]] {
        let signer = TSIGSigner(key: key, clock: clock)
        let query = DNSMessage(id: 1, questions: [Question(name: name("pool.\(origin)"), type: .a)])
        let edns = DNSMessage(
            id: 2, questions: [Question(name: name("pool.\(origin)"), type: .aaaa)],
            edns: EDNS(
                udpPayloadSize: 4096, dnssecOK: true, options: [EDNSOption(code: 10, data: Array(1...8))]))
        let cname = DNSMessage(
            id: 3, questions: [Question(name: name("www.\(origin)"), type: .a)], edns: EDNS())
        let missing = DNSMessage(id: 4, questions: [Question(name: name("no.such.\(origin)"), type: .txt)])
        let soa = DNSMessage(id: 5, questions: [Question(name: name(origin), type: .soa)])
        var oldSOA = zone(serial: 100, members: 0).soa
        oldSOA.serial = 100
        let ixfr = DNSMessage(
            id: 6, questions: [Question(name: name(origin), type: .ixfr)],
            authorities: [ResourceRecord(name: name(origin), ttl: 0, data: .soa(oldSOA))])
        let axfr = DNSMessage(id: 7, questions: [Question(name: name(origin), type: .axfr)])
        var update = DNSUpdate(zone: name(origin), id: 8)
        update.deleteRRset(name("new.\(origin)"), type: .a)
        update.add(name("new.\(origin)"), ttl: 60, data: .a(IPv4Address(192, 0, 2, 77)))
        let notify = DNSMessage(
            id: 9, opcode: .notify, isAuthoritative: true,
            questions: [Question(name: name(origin), type: .soa)])
        return [
            try! query.encode(), try! edns.encode(), try! cname.encode(), try! missing.encode(),
            try! soa.encode(),
            try! signer.sign(edns).bytes, try! ixfr.encode(), try! signer.sign(axfr).bytes,
            try! axfr.encode(),
            try! update.message.encode(), try! notify.encode(),
        ]
    }

    private static func responseSeeds() -> [[UInt8]] {
        let pool = name("pool.\(origin)")
        var answers = zone(serial: 100, members: 8).allRecords(at: pool)
        answers.append(
            ResourceRecord(name: name("txt.\(origin)"), ttl: 5, data: .txt([Array("a=1".utf8), []])))
        answers.append(ResourceRecord(name: name("x.\(origin)"), ttl: 5, data: .ptr(pool)))
        answers.append(
            ResourceRecord(
                name: name("x.\(origin)"), ttl: 5, data: .unknown(RecordType(rawValue: 65280), [1, 2])))
        let response = DNSMessage(
            id: 1, isResponse: true, isAuthoritative: true, questions: [Question(name: pool, type: .a)],
            answers: answers, authorities: [zone(serial: 100, members: 0).soaRecord], edns: EDNS())
        let signed = try! TSIGSigner(key: key, clock: clock).sign(response, requestMAC: [1, 2, 3]).bytes
        return [try! response.encode(), signed]
    }
}
