import LBTestSupport
import Testing

@testable import SNMP

/// net-snmp's command-line tools against our agent.
@Suite struct AgentInteropTests {
    typealias Fixture = AgentFixture

    /// Runs a net-snmp tool with numeric OIDs, no MIB files, a one-second timeout and no retry.
    private func netSNMP(_ tool: String, _ arguments: [String]) async throws -> (
        status: Int32, output: String, errors: String
    ) {
        let path = try #require(Peers.find(tool))
        return try await Blocking.peer(
            path, ["-On", "-M", "/dev/null", "-m", "", "-t", "1", "-r", "0"] + arguments)
    }

    private func lines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init)
    }

    private let expectedLoad = ".1.3.6.1.4.1.96.255.1 = INTEGER: 42"
    private var expectedText: String { ".1.3.6.1.4.1.96.255.2 = STRING: \"\(Fixture.text)\"" }

    @Test func snmpgetV2cReadsTheIntegerAndTheString() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let result = try await netSNMP(
            "snmpget",
            ["-v2c", "-c", "public", "127.0.0.1:\(port)", "\(Fixture.loadOID)", "\(Fixture.textOID)"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(lines(result.output) == [expectedLoad, expectedText])
    }

    @Test func snmpgetV2cSeesNoSuchObjectAndV1SeesNoSuchName() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let v2c = try await netSNMP(
            "snmpget", ["-v2c", "-c", "public", "127.0.0.1:\(port)", ".1.3.6.1.4.1.96.254"])
        #expect(v2c.output.contains("No Such Object available on this agent at this OID"), "\(v2c)")
        let v1 = try await netSNMP(
            "snmpget", ["-v1", "-c", "public", "127.0.0.1:\(port)", ".1.3.6.1.4.1.96.254"])
        #expect(v1.status != 0)
        #expect((v1.output + v1.errors).contains("noSuchName"), "\(v1)")
    }

    @Test func snmpwalkV2cWalksEveryRegisteredOIDInOrder() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let expected = [
            expectedLoad, expectedText, ".1.3.6.1.4.1.96.255.3 = Counter64: 1099511627776",
            ".1.3.6.1.4.1.96.255.4 = Gauge32: 7",
            // snmpwalk prints the endOfMibView that ends the agent's tree, as with snmpd.
            ".1.3.6.1.4.1.96.255.4 = No more variables left in this MIB View (It is past the end of the MIB tree)",
        ]
        let walk = try await netSNMP(
            "snmpwalk", ["-v2c", "-c", "public", "127.0.0.1:\(port)", ".1.3.6.1.4.1.96"])
        #expect(walk.status == 0, "\(walk.errors)")
        #expect(lines(walk.output) == expected)
        // From the root, as `snmpwalk` without an OID does (it starts at .1.3.6.1.2.1, then tries
        // the whole tree): the same objects.
        let all = try await netSNMP("snmpwalk", ["-v2c", "-c", "public", "127.0.0.1:\(port)", ".1"])
        #expect(lines(all.output) == expected)
        guard Peers.find("snmpbulkwalk") != nil else { return }
        let bulk = try await netSNMP(
            "snmpbulkwalk", ["-v2c", "-c", "public", "-Cr2", "127.0.0.1:\(port)", ".1.3.6.1.4.1.96"])
        #expect(bulk.status == 0, "\(bulk.errors)")
        #expect(lines(bulk.output) == expected)
    }

    @Test(arguments: [
        ("authNoPriv", Fixture.md5User, "MD5"),
        ("authPriv", Fixture.shaAESUser, "SHA"),
        ("authPriv", Fixture.sha256User, "SHA-256"),
        ("authPriv", Fixture.sha512User, "SHA-512"),
    ])
    func snmpgetV3ReadsWithEachAuthenticationProtocol(level: String, user: USMUser, method: String)
        async throws
    {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        var arguments = [
            "-v3", "-l", level, "-u", user.name, "-a", method, "-A", user.authentication!.password,
        ]
        if let privacy = user.privacy {
            arguments += ["-x", "AES", "-X", privacy.password]
        }
        let result = try await netSNMP(
            "snmpget", arguments + ["127.0.0.1:\(port)", "\(Fixture.loadOID)", "\(Fixture.textOID)"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(lines(result.output) == [expectedLoad, expectedText])
        let walk = try await netSNMP("snmpwalk", arguments + ["127.0.0.1:\(port)", ".1.3.6.1.4.1.96"])
        #expect(lines(walk.output).count == 5, "\(walk.errors)")
    }

    @Test func snmpgetV3WithAWrongPasswordFails() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let result = try await netSNMP(
            "snmpget",
            [
                "-v3", "-l", "authNoPriv", "-u", "loadbalancing", "-a", "MD5", "-A", "wrong-password",
                "127.0.0.1:\(port)", "\(Fixture.loadOID)",
            ])
        #expect(result.status != 0)
        #expect(result.errors.contains("Authentication failure"), "\(result.errors)")
        #expect(!result.output.contains("INTEGER"))
        #expect(agent.statistics.usmErrors[.wrongDigest, default: 0] >= 1)
    }

    @Test func snmpgetV3WithAWrongPrivacyPasswordFails() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let result = try await netSNMP(
            "snmpget",
            [
                "-v3", "-l", "authPriv", "-u", "sha-aes", "-a", "SHA", "-A", "sha-password", "-x", "AES",
                "-X",
                "wrong-aes-password", "127.0.0.1:\(port)", "\(Fixture.loadOID)",
            ])
        #expect(result.status != 0)
        #expect(!result.output.contains("INTEGER"))
        #expect(agent.statistics.usmErrors[.decryptionError, default: 0] >= 1)
    }

    @Test func snmpgetV3WithAnUnknownUserIsRefused() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let result = try await netSNMP(
            "snmpget",
            [
                "-v3", "-l", "authNoPriv", "-u", "mallory", "-a", "MD5", "-A", "md5-password",
                "127.0.0.1:\(port)", "\(Fixture.loadOID)",
            ])
        #expect(result.status != 0)
        #expect(result.errors.contains("Unknown user name"), "\(result.errors)")
    }

    @Test func snmpgetV3BelowTheUsersLevelIsRefused() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let result = try await netSNMP(
            "snmpget",
            [
                "-v3", "-l", "authNoPriv", "-u", "sha-aes", "-a", "SHA", "-A", "sha-password",
                "127.0.0.1:\(port)", "\(Fixture.loadOID)",
            ])
        #expect(result.status != 0)
        #expect((result.output + result.errors).contains("authorizationError"), "\(result)")
    }

    @Test func snmpgetV2cWithAWrongCommunityTimesOut() async throws {
        guard Peers.available("snmpget", "snmpwalk") else { return }
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let result = try await netSNMP(
            "snmpget", ["-v2c", "-c", "private", "127.0.0.1:\(port)", "\(Fixture.loadOID)"])
        #expect(result.status != 0)
        #expect(result.errors.contains("Timeout"), "\(result.errors)")
        #expect(agent.statistics.badCommunityNames == 1)
    }
}
