import NIOCore
import Synchronization
import Testing

@testable import SNMP

/// The agent's access grants (net-snmp's rocommunity, rocommunity6 and rouser): source networks
/// for communities, lowest security levels for users, and a report of every refusal.
@Suite struct AgentAccessTests {
    typealias Fixture = AgentFixture

    /// Collects the refusals the responder reports.
    final class Refusals: Sendable {
        private let state = Mutex<[SNMPAgentRefusal]>([])
        var all: [SNMPAgentRefusal] { state.withLock { $0 } }
        func record(_ refusal: SNMPAgentRefusal) { state.withLock { $0.append(refusal) } }
    }

    let refusals = Refusals()
    let objects: AgentObjectTable = {
        var table = AgentObjectTable()
        for (oid, provider) in Fixture.objects { table.register(oid, provider: provider) }
        return table
    }()

    private func responder(
        communities: [(String, String, SNMPSourceNetwork.Family)] = [],
        users: [(String, SecurityLevel)] = []
    ) throws -> AgentResponder {
        let refusals = self.refusals
        let access = SNMPAgentAccess(
            communities: try communities.map {
                SNMPAgentAccess.CommunityGrant(
                    community: $0.0, source: try SNMPSourceNetwork(parsing: $0.1, family: $0.2))
            },
            users: users.map { SNMPAgentAccess.UserGrant(userName: $0.0, minimumLevel: $0.1) },
            onRefusal: { refusals.record($0) })
        return AgentResponder(
            configuration: Fixture.configuration(), keyCache: Fixture.keyCache, counters: AgentCounters(),
            access: access)
    }

    private func address(_ text: String) throws -> SocketAddress {
        try SocketAddress(ipAddress: text, port: 40_000)
    }

    private func v2c(_ responder: AgentResponder, from source: String, community: String = "public")
        async throws
        -> PDU?
    {
        let bytes = await responder.reply(
            to: Fixture.v2cGet([Fixture.loadOID], community: community), from: try address(source),
            objects: objects, engineTime: 10)
        return try bytes.map { try CommunityMessage(decoding: $0).pdu }
    }

    private func v3(_ responder: AgentResponder, user: USMUser, from source: String = "127.0.0.1")
        async throws
        -> PDU?
    {
        let request = Fixture.v3Request(
            PDU(kind: .getRequest, requestID: 5, variableBindings: [VariableBinding(oid: Fixture.loadOID)]),
            user: user, time: 10)
        guard
            let bytes = await responder.reply(
                to: request, from: try address(source), objects: objects, engineTime: 10)
        else { return nil }
        let message = try SNMPv3Message(decoding: bytes)
        let configured = Fixture.users.first { $0.name == user.name }!
        let cut = AgentUSM.user(configured, at: user.securityLevel)
        let keys = Fixture.keyCache.keys(for: cut, engineID: Fixture.engineID)
        return try USMCodec.open(message, bytes: bytes, user: cut, keys: keys).pdu
    }

    @Test func aCommunityIsServedOnlyFromItsSourceNetwork() async throws {
        let responder = try responder(communities: [("public", "10.0.0.0/8", .ipv4)])
        #expect(try await v2c(responder, from: "10.20.30.40")?.variableBindings.first?.value == .integer(42))
        #expect(try await v2c(responder, from: "127.0.0.1") == nil)
        #expect(try await v2c(responder, from: "11.0.0.1") == nil)
        // A dual-stack socket reports IPv4 senders as IPv4-mapped IPv6 addresses.
        #expect(try await v2c(responder, from: "::ffff:10.1.1.1") != nil)
        #expect(try await v2c(responder, from: "::ffff:127.0.0.1") == nil)
        #expect(try await v2c(responder, from: "10.1.1.1", community: "private") == nil)
        #expect(
            refusals.all.map(\.reason) == [
                .communityNotFromThisSource(community: "public"),
                .communityNotFromThisSource(community: "public"),
                .communityNotFromThisSource(community: "public"), .unknownCommunity,
            ])
        #expect(refusals.all.first?.sourceAddress == "127.0.0.1")
    }

    @Test func rocommunityIsForIPv4AndRocommunity6ForIPv6() async throws {
        let v4 = try responder(communities: [("public", "default", .ipv4)])
        #expect(try await v2c(v4, from: "127.0.0.1") != nil)
        #expect(try await v2c(v4, from: "::1") == nil)
        let v6 = try responder(communities: [("public", "default", .ipv6)])
        #expect(try await v2c(v6, from: "::1") != nil)
        #expect(try await v2c(v6, from: "127.0.0.1") == nil)
        let both = try responder(communities: [("public", "::1", .ipv6), ("public", "127.0.0.1", .ipv4)])
        #expect(try await v2c(both, from: "::1") != nil)
        #expect(try await v2c(both, from: "127.0.0.1") != nil)
        #expect(try await v2c(both, from: "::2") == nil)
    }

    @Test func aUserReadsAtOrAboveTheLevelOfItsGrant() async throws {
        let authOnly = USMUser(
            name: Fixture.shaAESUser.name, authentication: Fixture.shaAESUser.authentication)
        let priv = try responder(users: [(Fixture.shaAESUser.name, .authPriv)])
        #expect(try await v3(priv, user: Fixture.shaAESUser)?.errorStatus == 0)
        let refused = try #require(try await v3(priv, user: authOnly))
        #expect(refused.errorStatus == SNMPErrorStatus.authorizationError.rawValue)
        #expect(refused.variableBindings.first?.value != .integer(42))
        #expect(
            refusals.all.map(\.reason) == [
                .securityLevelTooLow(user: "sha-aes", level: .authNoPriv, required: .authPriv)
            ])

        let auth = try responder(users: [(Fixture.shaAESUser.name, .authNoPriv)])
        #expect(try await v3(auth, user: authOnly)?.variableBindings.first?.value == .integer(42))
        #expect(try await v3(auth, user: Fixture.shaAESUser)?.variableBindings.first?.value == .integer(42))
    }

    @Test func aUserWithoutAGrantReadsNothing() async throws {
        let responder = try responder(users: [(Fixture.shaAESUser.name, .authPriv)])
        let answer = try #require(try await v3(responder, user: Fixture.md5User))
        #expect(answer.errorStatus == SNMPErrorStatus.authorizationError.rawValue)
        #expect(refusals.all.map(\.reason) == [.userWithoutGrant(user: "loadbalancing")])
    }

    @Test func wrongCredentialsAreReportedAsRefusals() async throws {
        let responder = try responder(users: [(Fixture.md5User.name, .authNoPriv)])
        let impostor = USMUser(
            name: "loadbalancing", authentication: .init(.md5, password: "not-the-password"))
        let request = Fixture.v3Request(
            PDU(kind: .getRequest, requestID: 5, variableBindings: [VariableBinding(oid: Fixture.loadOID)]),
            user: impostor, time: 10)
        _ = await responder.reply(
            to: request, from: try address("127.0.0.1"), objects: objects, engineTime: 10)
        #expect(
            refusals.all.map(\.reason) == [.authenticationFailure(user: "loadbalancing", error: .wrongDigest)]
        )
    }

    @Test func sourceNetworksParseAsNetSnmpWritesThem() throws {
        let network = try SNMPSourceNetwork(parsing: "10.0.0.0/255.0.0.0", family: .ipv4)
        #expect(network == (try SNMPSourceNetwork(parsing: "10.0.0.0/8", family: .ipv4)))
        #expect(network.contains(try address("10.255.0.1")))
        #expect(!network.contains(try address("::ffff:11.0.0.1")))
        let host = try SNMPSourceNetwork(parsing: "192.0.2.7", family: .ipv4)
        #expect(host.prefixLength == 32)
        #expect(!host.contains(try address("192.0.2.8")))
        let v6 = try SNMPSourceNetwork(parsing: "2001:db8::/32", family: .ipv6)
        #expect(v6.contains(try address("2001:db8:1::5")))
        #expect(!v6.contains(try address("2001:db9::5")))
        for (text, family) in [
            ("10.1.0.0/8", SNMPSourceNetwork.Family.ipv4), ("10.0.0.0/33", .ipv4), ("::1", .ipv4),
            ("10.0.0.1", .ipv6), ("lb.example.org", .ipv4), ("10.0.0.0/255.0.255.0", .ipv4), ("", .ipv4),
            ("10.0.0.0/", .ipv4), ("10.0.0.0/+8", .ipv4),
        ] {
            #expect(throws: SNMPSourceNetworkError.self, "\(text)") {
                try SNMPSourceNetwork(parsing: text, family: family)
            }
        }
    }
}
