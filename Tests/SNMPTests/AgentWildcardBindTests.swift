import LBTestSupport
import NIOCore
import Testing

@testable import SNMP

/// An agent bound to `0.0.0.0` or `::` (as `dist/lbclient-agent.service` runs it) answers each
/// request from the address the request was sent to, as snmpd does. net-snmp's tools and lbd's
/// poller drop an answer from any other address, so a node polled on a secondary address would
/// look dead.
@Suite(.serialized) struct AgentWildcardBindTests {
    typealias Fixture = AgentFixture

    /// Loopback addresses other than 127.0.0.1: the kernel routes all of 127.0.0.0/8 to `lo`
    /// and answers them from 127.0.0.1 unless told otherwise.
    static let otherLoopbacks = ["127.0.0.9", "127.0.0.77"]

    private func withAgent(host: String, _ body: (Int) async throws -> Void) async throws {
        var configuration = Fixture.configuration()
        configuration.host = host
        let (agent, port) = try await Fixture.startAgent(configuration: configuration)
        do {
            try await body(port)
        } catch {
            await agent.stop()
            throw error
        }
        await agent.stop()
    }

    /// GETs the load OID from `target` over v2c from a socket connected to it.
    private func expectAnswer(
        from target: String, port: Int, source: String? = nil, requestID: Int32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let socket = try ConnectedUDPSocket(to: target, port: port, from: source)
        let reply = await socket.exchange(
            Fixture.v2cGet([Fixture.loadOID], requestID: requestID), timeout: 10)
        let bytes = try #require(
            reply, "no answer from \(target) (from \(source ?? "any")): sent from another address?",
            sourceLocation: sourceLocation)
        let message = try CommunityMessage(decoding: bytes)
        #expect(message.pdu.requestID == requestID, sourceLocation: sourceLocation)
        #expect(message.pdu.variableBindings.first?.value == .integer(42), sourceLocation: sourceLocation)
    }

    @Test func anIPv4WildcardAgentAnswersFromTheLoopbackAddressAsked() async throws {
        try await withAgent(host: "0.0.0.0") { port in
            for (index, target) in (["127.0.0.1"] + Self.otherLoopbacks).enumerated() {
                for attempt in 0..<3 {
                    try await expectAnswer(from: target, port: port, requestID: Int32(index * 10 + attempt))
                }
            }
            try await expectAnswer(from: "127.0.0.9", port: port, source: "127.0.0.23", requestID: 99)
        }
    }

    @Test func anIPv6WildcardAgentAnswersIPv6AndIPv4FromTheAddressAsked() async throws {
        guard ConnectedUDPSocket.ipv6LoopbackExists else { return }
        try await withAgent(host: "::") { port in
            try await expectAnswer(from: "::1", port: port, requestID: 1)
            // `::` takes IPv4 too (bindv6only is 0 on Linux by default).
            for (index, target) in Self.otherLoopbacks.enumerated() {
                try await expectAnswer(from: target, port: port, requestID: Int32(10 + index))
            }
        }
    }

    @Test func lbdsClientPollsAWildcardAgentOnAnotherLoopbackAddress() async throws {
        try await withAgent(host: "0.0.0.0") { port in
            let client = try await SNMPClient.start(keyCache: Fixture.keyCache)
            do {
                for target in Self.otherLoopbacks {
                    let address = try SocketAddress(ipAddress: target, port: port)
                    let v2c = try await client.get(
                        [Fixture.loadOID], from: address, credentials: .community("public", version: .v2c),
                        timeout: .seconds(1), retries: 1)
                    #expect(v2c.first?.value == .integer(42))
                    let v3 = try await client.get(
                        [Fixture.loadOID], from: address, credentials: .user(Fixture.shaAESUser),
                        timeout: .seconds(1), retries: 1)
                    #expect(v3.first?.value == .integer(42))
                }
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    @Test func snmpgetAsksAWildcardAgentOnAnotherLoopbackAddress() async throws {
        guard Peers.available("snmpget"), let snmpget = Peers.find("snmpget") else { return }
        func get(_ target: String) async throws -> (status: Int32, output: String, errors: String) {
            try await Blocking.peer(
                snmpget,
                [
                    "-On", "-M", "/dev/null", "-m", "", "-t", "1", "-r", "0", "-v2c", "-c", "public", target,
                    ".1.3.6.1.4.1.96.255.1",
                ])
        }
        try await withAgent(host: "0.0.0.0") { port in
            for target in Self.otherLoopbacks {
                let result = try await get("\(target):\(port)")
                #expect(result.status == 0, "snmpget \(target): \(result.errors)")
                #expect(result.output.contains(".1.3.6.1.4.1.96.255.1 = INTEGER: 42"), "\(result.output)")
            }
        }
        guard ConnectedUDPSocket.ipv6LoopbackExists else { return }
        try await withAgent(host: "::") { port in
            for target in ["udp6:[::1]:\(port)", "127.0.0.9:\(port)"] {
                let result = try await get(target)
                #expect(result.status == 0, "snmpget \(target): \(result.errors)")
                #expect(result.output.contains(".1.3.6.1.4.1.96.255.1 = INTEGER: 42"), "\(result.output)")
            }
        }
    }
}
