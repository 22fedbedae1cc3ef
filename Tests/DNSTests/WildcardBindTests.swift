import LBTestSupport
import Testing

@testable import DNS

/// A server bound to `0.0.0.0` or `::` answers each UDP query from the address the query was
/// sent to, as BIND and Knot do. Resolvers `connect()` their UDP socket to the server, so an
/// answer from the host's primary address instead is dropped and the query times out.
@Suite(.serialized) struct WildcardBindTests {
    /// Loopback addresses other than 127.0.0.1: the kernel routes all of 127.0.0.0/8 to `lo`
    /// and answers them from 127.0.0.1 unless told otherwise.
    static let otherLoopbacks = ["127.0.0.9", "127.0.0.77"]

    private func withServer(host: String, udpSockets: Int, _ body: (Int) async throws -> Void) async throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let server = DNSServer(
            configuration: DNSServerConfiguration(host: host, port: 0, udpSockets: udpSockets), store: store)
        let port = try #require(try await server.start().port)
        do {
            try await body(port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Asks `target` for www.example.org A from a socket connected to it and checks the answer.
    private func expectAnswer(
        from target: String, port: Int, source: String? = nil, id: UInt16,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let socket = try ConnectedUDPSocket(to: target, port: port, from: source)
        let query = DNSMessage(id: id, questions: [Question(name: name("www.example.org"), type: .a)])
        let reply = await socket.exchange(try query.encode(), timeout: 2)
        let bytes = try #require(
            reply, "no answer from \(target) (from \(source ?? "any")): sent from another address?",
            sourceLocation: sourceLocation)
        let message = try DNSMessage(decoding: bytes)
        #expect(message.id == id, sourceLocation: sourceLocation)
        #expect(message.answers.count == 3, sourceLocation: sourceLocation)
    }

    @Test(arguments: [1, 2])
    func anIPv4WildcardServerAnswersFromTheLoopbackAddressAsked(udpSockets: Int) async throws {
        try await withServer(host: "0.0.0.0", udpSockets: udpSockets) { port in
            // Several sockets each: SO_REUSEPORT spreads them over the server's sockets by source port.
            for (index, target) in (["127.0.0.1"] + Self.otherLoopbacks).enumerated() {
                for attempt in 0..<4 {
                    try await expectAnswer(from: target, port: port, id: UInt16(index * 10 + attempt))
                }
            }
            try await expectAnswer(from: "127.0.0.9", port: port, source: "127.0.0.23", id: 99)
        }
    }

    @Test func anIPv6WildcardServerAnswersIPv6AndIPv4FromTheAddressAsked() async throws {
        guard ConnectedUDPSocket.ipv6LoopbackExists else { return }
        try await withServer(host: "::", udpSockets: 2) { port in
            for attempt in 0..<4 {
                try await expectAnswer(from: "::1", port: port, id: UInt16(attempt))
            }
            // `::` takes IPv4 too (bindv6only is 0 on Linux by default).
            for (index, target) in Self.otherLoopbacks.enumerated() {
                try await expectAnswer(from: target, port: port, id: UInt16(10 + index))
            }
        }
    }

    @Test func aServerBoundToOneAddressStillAnswers() async throws {
        try await withServer(host: "127.0.0.9", udpSockets: 2) { port in
            try await expectAnswer(from: "127.0.0.9", port: port, id: 1)
        }
    }

    @Test func digAsksAWildcardServerOnAnotherLoopbackAddress() async throws {
        guard Peers.available("dig"), let dig = Peers.find("dig") else { return }
        try await withServer(host: "0.0.0.0", udpSockets: 2) { port in
            for target in Self.otherLoopbacks {
                let result = try Peers.run(
                    dig, ["@\(target)", "-p", String(port), "+time=2", "+tries=1", "www.example.org", "A"],
                    timeout: 20)
                #expect(result.status == 0, "dig @\(target): \(result.output) \(result.errors)")
                #expect(result.output.contains("status: NOERROR"), "\(result.output)")
                #expect(!result.output.contains("reply from unexpected source"), "\(result.output)")
            }
        }
        guard ConnectedUDPSocket.ipv6LoopbackExists else { return }
        try await withServer(host: "::", udpSockets: 2) { port in
            for target in ["::1", "127.0.0.9"] {
                let result = try Peers.run(
                    dig, ["@\(target)", "-p", String(port), "+time=2", "+tries=1", "www.example.org", "A"],
                    timeout: 20)
                #expect(result.status == 0, "dig @\(target): \(result.output) \(result.errors)")
                #expect(result.output.contains("status: NOERROR"), "\(result.output)")
            }
        }
    }
}
