import Foundation
import LBTestSupport
import NIOCore
import Testing

@testable import SNMP

/// net-snmp's snmpinform and snmptrap against our listener, and our sender against net-snmp's
/// snmptrapd.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NotificationInteropTests {
    typealias Fixture = NotificationFixture

    /// Runs a net-snmp tool with numeric OIDs, no MIB files and its persistent state in a
    /// temporary directory.
    private func netSNMP(_ tool: String, _ arguments: [String]) async throws -> (
        status: Int32, output: String, errors: String
    ) {
        let path = try #require(Peers.find(tool))
        let state = try Peers.temporaryDirectory("net-snmp-state")
        defer { try? FileManager.default.removeItem(at: state) }
        return try await Blocking.peer(
            path, ["-M", "/dev/null", "-m", "", "--persistentDir=\(state.path)"] + arguments)
    }

    private func v3Arguments(_ user: USMUser, authPassword: String? = nil) -> [String] {
        guard let authentication = user.authentication else {
            return ["-v3", "-l", "noAuthNoPriv", "-u", user.name]
        }
        let method = authentication.method == .md5 ? "MD5" : "SHA-256"
        var arguments = [
            "-v3", "-u", user.name, "-l", user.privacy == nil ? "authNoPriv" : "authPriv", "-a", method, "-A",
            authPassword ?? authentication.password,
        ]
        if let privacy = user.privacy { arguments += ["-x", "AES", "-X", privacy.password] }
        return arguments
    }

    // MARK: - net-snmp to our listener

    @Test(arguments: [Fixture.privUser, Fixture.authUser])
    func snmpinformIsDeliveredAndAcknowledged(user: USMUser) async throws {
        guard Peers.available("snmpinform") else { return }
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let result = try await netSNMP(
            "snmpinform",
            v3Arguments(user) + [
                "-t", "2", "-r", "1", "127.0.0.1:\(port)", "", "\(Fixture.notificationOID)",
                "\(Fixture.loadOID)",
                "i", "42",
            ])
        // snmpinform exits 0 only once it has our Response.
        #expect(result.status == 0, "\(result.errors)")
        let notification = try #require(await collector.wait(count: 1).first)
        #expect(notification.securityName == user.name)
        #expect(notification.securityLevel == user.securityLevel)
        #expect(notification.kind == .inform)
        #expect(notification.source.ipAddress == "127.0.0.1")
        #expect(notification.oid == Fixture.notificationOID)
        #expect(notification.variableBindings == Fixture.bindings)
        #expect(listener.statistics.responsesSent >= 1)
    }

    @Test func snmpinformWithAWrongPasswordIsRefused() async throws {
        guard Peers.available("snmpinform") else { return }
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let result = try await netSNMP(
            "snmpinform",
            v3Arguments(Fixture.privUser, authPassword: "wrong-password") + [
                "-t", "1", "-r", "0", "127.0.0.1:\(port)", "", "\(Fixture.notificationOID)",
            ])
        #expect(result.status != 0)
        #expect(listener.statistics[.wrongDigest] >= 1)
        #expect(collector.all.isEmpty)
    }

    @Test func snmptrapV2cIsDelivered() async throws {
        guard Peers.available("snmptrap") else { return }
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let result = try await netSNMP(
            "snmptrap",
            [
                "-v", "2c", "-c", Fixture.community, "127.0.0.1:\(port)", "", "\(Fixture.notificationOID)",
                "\(Fixture.loadOID)", "i", "42",
            ])
        #expect(result.status == 0, "\(result.errors)")
        let notification = try #require(await collector.wait(count: 1).first)
        #expect(notification.version == .v2c)
        #expect(notification.kind == .trap)
        #expect(notification.securityName == Fixture.community)
        #expect(notification.variableBindings == Fixture.bindings)
        // A wrong community is dropped and counted.
        _ = try await netSNMP(
            "snmptrap", ["-v", "2c", "-c", "guess", "127.0.0.1:\(port)", "", "\(Fixture.notificationOID)"])
        await Fixture.eventually { listener.statistics[.badCommunity] == 1 }
        #expect(listener.statistics[.badCommunity] == 1)
        #expect(collector.all.count == 1)
    }

    // MARK: - Our sender to snmptrapd

    /// snmptrapd on 127.0.0.1 logging to a file, with our two users and the community.
    private struct Snmptrapd {
        let process: PeerProcess
        let port: Int
        let log: URL
        let directory: URL

        init() throws {
            let path = try #require(Peers.find("snmptrapd"))
            directory = try Peers.temporaryDirectory("snmptrapd")
            port = try Peers.freeUDPPort()
            log = directory.appendingPathComponent("traps.log")
            let privUser = Fixture.privUser
            let authUser = Fixture.authUser
            // For INFORMs snmptrapd is the authoritative engine: keys localise to its own ID.
            let configuration = """
                createUser \(privUser.name) SHA-256 \(privUser.authentication!.password) AES \(privUser.privacy!.password)
                createUser \(authUser.name) MD5 \(authUser.authentication!.password)
                authUser log \(privUser.name) priv
                authUser log \(authUser.name)
                authCommunity log \(Fixture.community)

                """
            let file = directory.appendingPathComponent("snmptrapd.conf")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            process = try PeerProcess(
                path,
                [
                    "-f", "-C", "-c", file.path, "-Lf", log.path,
                    "--persistentDir=\(directory.appendingPathComponent("state").path)", "-M", "/dev/null",
                    "-m",
                    "", "-On", "-n", "udp:127.0.0.1:\(port)",
                ])
        }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits until the log holds `text`, for at most five seconds.
        func logs(_ text: String) async -> Bool {
            await Fixture.eventually { logText.contains(text) }
            return logText.contains(text)
        }

        func stop() {
            process.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func snmptrapdLogsOurInformsAndTraps() async throws {
        guard Peers.available("snmptrapd") else { return }
        let trapd = try Snmptrapd()
        defer { trapd.stop() }
        #expect(await trapd.logs("NET-SNMP version"), "snmptrapd did not start: \(trapd.process.errorOutput)")
        let sends: [(SNMPCredentials, UInt32)] = [
            (.user(Fixture.privUser), 1), (.user(Fixture.authUser), 2), (.community(Fixture.community), 3),
        ]
        for (credentials, arc) in sends {
            let sender = try await Fixture.sender(
                port: trapd.port, credentials: credentials, timeout: .seconds(2), retries: 1)
            let oid = OID(arcs: [1, 3, 6, 1, 4, 1, 96, 255, 0, arc])!
            do {
                try await sender.send(
                    oid, [VariableBinding(oid: Fixture.loadOID, value: .integer(Int32(arc) * 10))])
            } catch {
                Issue.record(
                    "sending with \(credentials) failed: \(error); snmptrapd: \(trapd.process.errorOutput)")
            }
            await sender.shutdown()
            #expect(await trapd.logs("= OID: \(oid)"), "\(trapd.logText)")
            #expect(trapd.logText.contains("\(Fixture.loadOID) = INTEGER: \(arc * 10)"))
        }
    }

    @Test func snmptrapdRefusesAForgedInform() async throws {
        guard Peers.available("snmptrapd") else { return }
        let trapd = try Snmptrapd()
        defer { trapd.stop() }
        #expect(await trapd.logs("NET-SNMP version"), "snmptrapd did not start: \(trapd.process.errorOutput)")
        var forged = Fixture.privUser
        forged.authentication?.password = "not-the-password"
        let sender = try await Fixture.sender(
            port: trapd.port, credentials: .user(forged), timeout: .milliseconds(500), retries: 0)
        defer { Task { await sender.shutdown() } }
        let oid = OID(".1.3.6.1.4.1.96.255.0.9")!
        await #expect(throws: SNMPClientError.self) { try await sender.send(oid, []) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!trapd.logText.contains("\(oid)"))
    }
}
