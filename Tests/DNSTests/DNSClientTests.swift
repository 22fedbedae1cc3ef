import DNS
import NIOCore
import Synchronization
import Testing

/// `DNSClient` against `FakeDNSServer`: transport choice, answer matching, timeouts, RCODEs.
@Suite struct DNSClientTests {
    static let name = try! DomainName(parsing: "lb.example.")
    static let fast = DNSClient.Options(timeout: .milliseconds(200), retries: 1)

    static func addresses(_ count: Int) -> [ResourceRecord] {
        (0..<count).map {
            ResourceRecord(
                name: name, ttl: 60, data: .a(IPv4Address(10, 0, UInt8($0 / 250), UInt8($0 % 250 + 1))))
        }
    }

    @Test func queryCarriesEDNSAndRandomID() async throws {
        let seen = RequestLog()
        let server = try await FakeDNSServer { request, _ in
            seen.append(request)
            return [FakeDNSServer.answer(request, answers: Self.addresses(1))]
        }
        defer { Task { await server.stop() } }
        let client = DNSClient(options: Self.fast, makeID: { 0x1234 })
        let response = try await client.query(Self.name, type: .a, server: server.address)
        #expect(response.transport == .udp)
        #expect(response.message.answers.count == 1)
        let request = try #require(seen.all.first)
        #expect(request.id == 0x1234)
        #expect(request.edns?.udpPayloadSize == 1232)
    }

    @Test func truncatedAnswerIsRetriedOverTCP() async throws {
        let server = try await FakeDNSServer { request, transport in
            transport == .udp
                ? [FakeDNSServer.answer(request, truncated: true)]
                : [FakeDNSServer.answer(request, answers: Self.addresses(200))]
        }
        defer { Task { await server.stop() } }
        let response = try await DNSClient(options: Self.fast).query(
            Self.name, type: .a, server: server.address)
        #expect(response.transport == .tcp)
        #expect(response.message.answers.count == 200)
        #expect(server.udpRequests == 1)
        #expect(server.tcpRequests == 1)
    }

    @Test func answersWithAnotherIDOrQuestionAreIgnored() async throws {
        let server = try await FakeDNSServer { request, _ in
            var other = request
            other.questions = [Question(name: try! DomainName(parsing: "evil.example."), type: .a)]
            return [
                FakeDNSServer.answer(request, code: .refused, id: request.id &+ 1),
                FakeDNSServer.answer(other, code: .refused),
                FakeDNSServer.answer(request, answers: Self.addresses(2)),
            ]
        }
        defer { Task { await server.stop() } }
        let response = try await DNSClient(options: Self.fast).query(
            Self.name, type: .a, server: server.address)
        #expect(response.message.answers.count == 2)
    }

    @Test func silenceTimesOutAfterRetries() async throws {
        let server = try await FakeDNSServer { _, _ in [] }
        defer { Task { await server.stop() } }
        let options = DNSClient.Options(timeout: .milliseconds(100), retries: 2)
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient(options: options).query(Self.name, type: .a, server: server.address)
        }
        #expect(error.code == .timeout)
        #expect(server.udpRequests == 3)
    }

    @Test(arguments: [
        ResponseCode.notAuth, .refused, .serverFailure, .nxRRSet, .yxRRSet, .nameError, .formatError,
        .notZone,
        .yxDomain, .notImplemented,
    ])
    func responseCodeIsTyped(code: ResponseCode) async throws {
        let server = try await FakeDNSServer { request, _ in [FakeDNSServer.answer(request, code: code)] }
        defer { Task { await server.stop() } }
        var update = DNSUpdate(zone: Self.name)
        update.deleteRRset(Self.name, type: .a)
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient(options: Self.fast).update(update, server: server.address)
        }
        #expect(error.code == .responseCode(code))
        #expect(error.message.contains(code.description))
    }

    @Test func largeUpdateGoesOverTCP() async throws {
        let server = try await FakeDNSServer { request, _ in [FakeDNSServer.answer(request)] }
        defer { Task { await server.stop() } }
        var update = DNSUpdate(zone: Self.name)
        for record in Self.addresses(100) { update.add(record.name, ttl: 60, data: record.data) }
        let response = try await DNSClient(options: Self.fast).update(update, server: server.address)
        #expect(response.transport == .tcp)
        #expect(response.requestSize > 512)
        #expect(server.udpRequests == 0)
    }

    @Test func unsignedAnswerToSignedUpdateIsATSIGError() async throws {
        let server = try await FakeDNSServer { request, _ in [FakeDNSServer.answer(request)] }
        defer { Task { await server.stop() } }
        var update = DNSUpdate(zone: Self.name)
        update.deleteRRset(Self.name, type: .a)
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient(options: Self.fast).update(update, server: server.address, key: Self.key)
        }
        #expect(error.tsigError?.code == .missing)
    }

    static let key = TSIGKey(
        name: try! DomainName(parsing: "k."), algorithm: .hmacSHA256, secret: Array(repeating: 1, count: 32))

    /// A server that verifies the request's TSIG and signs its answer chaining `chainedMAC`
    /// (the request's MAC when nil), as RFC 8945 section 5.3 asks.
    static func signingServer(chainedMAC: [UInt8]? = nil, error: ResponseCode = .noError) async throws
        -> FakeDNSServer
    {
        try await FakeDNSServer(raw: { _, bytes, _ in
            let verified = try! TSIGVerifier(keys: [key]).verify(bytes)
            var response = try! DNSMessage(decoding: FakeDNSServer.answer(verified.message))
            response.additionals = []
            return [
                try! TSIGSigner(key: key).sign(response, requestMAC: chainedMAC ?? verified.mac, error: error)
                    .bytes
            ]
        })
    }

    @Test func signedAnswerVerifies() async throws {
        let server = try await Self.signingServer()
        defer { Task { await server.stop() } }
        var update = DNSUpdate(zone: Self.name)
        update.deleteRRset(Self.name, type: .a)
        let response = try await DNSClient(options: Self.fast).update(
            update, server: server.address, key: Self.key)
        #expect(response.tsig != nil)
        #expect(response.message.additionals.isEmpty)
    }

    @Test func answerNotChainingTheRequestMACIsBadSignature() async throws {
        let server = try await Self.signingServer(chainedMAC: Array(repeating: 0, count: 32))
        defer { Task { await server.stop() } }
        var update = DNSUpdate(zone: Self.name)
        update.deleteRRset(Self.name, type: .a)
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient(options: Self.fast).update(update, server: server.address, key: Self.key)
        }
        #expect(error.tsigError?.code == .badSignature)
    }

    @Test func badTimeInTheTSIGErrorFieldIsATSIGError() async throws {
        let server = try await Self.signingServer(error: .badTime)
        defer { Task { await server.stop() } }
        var update = DNSUpdate(zone: Self.name)
        update.deleteRRset(Self.name, type: .a)
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient(options: Self.fast).update(update, server: server.address, key: Self.key)
        }
        #expect(error.tsigError?.code == .rejectedByPeer)
        #expect(error.tsigError?.peerError == .badTime)
    }

    @Test func undecodableAnswerWithOurIDIsMalformed() async throws {
        let server = try await FakeDNSServer { request, _ in
            [[UInt8(request.id >> 8), UInt8(request.id & 0xFF), 0x80, 0, 0, 9]]
        }
        defer { Task { await server.stop() } }
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient(options: Self.fast).query(Self.name, type: .a, server: server.address)
        }
        #expect(error.code == .malformedResponse)
    }

    @Test func queriesAnIPv6Server() async throws {
        // Containers without IPv6 cannot bind ::1; there is nothing to test then.
        guard
            let server = try? await FakeDNSServer(
                host: "::1",
                respond: { request, transport in
                    transport == .udp
                        ? [FakeDNSServer.answer(request, truncated: true)]
                        : [FakeDNSServer.answer(request, answers: Self.addresses(3))]
                })
        else { return }
        defer { Task { await server.stop() } }
        let response = try await DNSClient(options: Self.fast).query(
            Self.name, type: .a, server: server.address)
        #expect(response.transport == .tcp)
        #expect(response.message.answers.count == 3)
    }

    @Test func refusedTCPConnectionIsConnectionFailed() async throws {
        let server = try await FakeDNSServer { _, _ in [] }
        let address = server.address
        await server.stop()
        let options = DNSClient.Options(timeout: .milliseconds(200), retries: 0, tcpOnly: true)
        let error = try await #require(throws: DNSClientError.self) {
            try await DNSClient(options: options).query(Self.name, type: .a, server: address)
        }
        #expect(error.code == .connectionFailed)
    }
}

/// Requests seen by a fake server, read by the test afterwards.
final class RequestLog: Sendable {
    private let requests = Mutex<[DNSMessage]>([])
    func append(_ request: DNSMessage) { requests.withLock { $0.append(request) } }
    var all: [DNSMessage] { requests.withLock { $0 } }
}
