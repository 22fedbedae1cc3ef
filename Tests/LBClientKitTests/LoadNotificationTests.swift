import Foundation
import LBCore
import LBTestSupport
import ProcessSpawning
import SNMP
import Synchronization
import Testing

/// `lbclient agent --notify` and `lbclient --pass-persist --notify` tell a real notification
/// listener when /etc/nologin appears and disappears, and keep answering when it is down.
@Suite("lbclient --notify", .serialized)
struct LoadNotificationTests {
    static let password = "notify secret"
    static let user = USMUser(name: "loadbalancing", authentication: .init(.md5, password: password))
    static let community = "trapcommunity"
    static let notificationOID = OID(loadChangedNotificationOID)!
    static let loadOID = OID(loadReportOID)!

    /// A node: a root with `check nologin` and `load constant 250`, and the access file.
    struct Node {
        let scratch: Scratch
        let options: [String]
        let access: String
        var nologin: String { scratch.path + "/etc/nologin" }

        init() throws {
            scratch = try Scratch()
            try scratch.write("etc/lbclient.conf", "check nologin\nload constant 250\n")
            try scratch.write("etc/lbaliases", "lbalias=a.example.org\n")
            access = try scratch.write(
                "agent.conf",
                "rocommunity public 127.0.0.1\ncreateUser loadbalancing MD5 \"\(LoadNotificationTests.password)\"\nrouser loadbalancing auth\n"
            )
            options = [
                "--cm", scratch.path + "/etc", "--ca", scratch.path + "/etc/lbaliases", "--root",
                scratch.path,
                "--log-file", scratch.path + "/lbclient.log", "-d", "info",
            ]
        }

        func drain() throws { try scratch.write("etc/nologin", "") }
        func undrain() throws { try FileManager.default.removeItem(atPath: nologin) }
        var log: String {
            (try? String(contentsOfFile: scratch.path + "/lbclient.log", encoding: .utf8)) ?? ""
        }
    }

    /// A listener on 127.0.0.1 and what it received so far.
    final class Receiver: Sendable {
        /// Shared with the reading task, which must not hold the receiver.
        private final class Inbox: Sendable {
            let items = Mutex<[SNMPNotification]>([])
        }

        let listener: SNMPNotificationListener
        let port: Int
        private let inbox: Inbox
        private let reader: Task<Void, Never>

        init() async throws {
            listener = SNMPNotificationListener(
                configuration: SNMPNotificationListenerConfiguration(
                    host: "127.0.0.1", port: 0, users: [LoadNotificationTests.user],
                    communities: [LoadNotificationTests.community]))
            port = try #require(try await listener.start().port)
            let inbox = Inbox()
            let stream = listener.notifications
            reader = Task {
                for await notification in stream { inbox.items.withLock { $0.append(notification) } }
            }
            self.inbox = inbox
        }

        var all: [SNMPNotification] { inbox.items.withLock { $0 } }

        /// The notifications once there are `count`, waiting at most `timeout`.
        func wait(count: Int, timeout: Duration = .seconds(8)) async -> [SNMPNotification] {
            let end = ContinuousClock.now + timeout
            while all.count < count && ContinuousClock.now < end {
                try? await Task.sleep(for: .milliseconds(20))
            }
            return all
        }

        func stop() async {
            await listener.stop()
            reader.cancel()
        }
    }

    /// The report a notification carries, when it is `lbLoadChanged` with one OCTET STRING.
    static func report(_ notification: SNMPNotification) -> String? {
        guard notification.oid == notificationOID, notification.variableBindings.count == 1,
            notification.variableBindings[0].oid == loadOID,
            case .octetString(let bytes) = notification.variableBindings[0].value
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func theAgentSendsAnInformWhenNologinAppearsAndDisappears() async throws {
        let node = try Node()
        defer { node.scratch.remove() }
        let receiver = try await Receiver()
        let agentPort = try Peers.freeUDPPort()
        let agent = try PeerProcess(
            LBClientBinary.path,
            [
                "agent", "--listen", "127.0.0.1:\(agentPort)", "--snmp-config", node.access,
                "--notify", "127.0.0.1:\(receiver.port)", "--notify-interval", "200ms", "--notify-source",
                "127.0.0.2",
            ] + node.options)
        defer { agent.stop() }
        let first = await receiver.wait(count: 1)
        try #require(first.count == 1, "no notification at start; log: \(node.log)")
        #expect(Self.report(first[0]) == "250")
        #expect(first[0].securityName == "loadbalancing")
        #expect(first[0].kind == .inform)
        #expect(first[0].version == .v3)
        #expect(first[0].source.ipAddress == "127.0.0.2")

        try node.drain()
        let drained = await receiver.wait(count: 2)
        try #require(drained.count == 2, "nothing after the drain; log: \(node.log)")
        #expect(Self.report(drained[1]) == "-1")

        // Nothing changes: nothing is sent (over five intervals).
        try await Task.sleep(for: .seconds(1))
        #expect(receiver.all.count == 2)

        try node.undrain()
        let back = await receiver.wait(count: 3)
        try #require(back.count == 3, "nothing after the undrain; log: \(node.log)")
        #expect(Self.report(back[2]) == "250")
        #expect(agent.isRunning)
        await receiver.stop()
    }

    @Test func theAgentSendsV2cTrapsWithACommunity() async throws {
        let node = try Node()
        defer { node.scratch.remove() }
        let receiver = try await Receiver()
        let agentPort = try Peers.freeUDPPort()
        let agent = try PeerProcess(
            LBClientBinary.path,
            [
                "agent", "--listen", "127.0.0.1:\(agentPort)", "--snmp-config", node.access,
                "--notify", "127.0.0.1:\(receiver.port)", "--notify-interval", "200ms",
                "--notify-community", Self.community,
            ] + node.options)
        defer { agent.stop() }
        try #require(await receiver.wait(count: 1).count == 1, "log: \(node.log)")
        try node.drain()
        let all = await receiver.wait(count: 2)
        try #require(all.count == 2, "log: \(node.log)")
        #expect(all.map(\.kind) == [.trap, .trap])
        #expect(all.map(\.version) == [.v2c, .v2c])
        #expect(all.map(\.securityName) == [Self.community, Self.community])
        #expect(all.map(Self.report) == ["250", "-1"])
        await receiver.stop()
    }

    /// `lbclient --pass-persist` driven over a pipe as snmpd drives it.
    final class PassPersist {
        let child: ChildProcess
        let output: String
        private let input: Int32

        init(_ arguments: [String], scratch: Scratch) throws {
            var descriptors: [Int32] = [0, 0]
            guard pipe(&descriptors) == 0 else { throw PeerError("pipe() failed") }
            output = scratch.path + "/pass-persist.out"
            defer { close(descriptors[0]) }
            child = try ChildProcess(
                LBClientBinary.path, arguments: ["--pass-persist"] + arguments,
                standardInput: .descriptor(descriptors[0]), standardOutput: .file(output))
            input = descriptors[1]
        }

        func write(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Foundation.write(input, $0.baseAddress, $0.count) }
        }

        var written: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

        /// Sends a GET of the load OID and returns the value line of the answer (within 5 s).
        func get() async -> String? {
            let before = written.count
            write("get\n\(loadReportOID)\n")
            let end = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < end {
                let lines = written.dropFirst(before).split(separator: "\n")
                if lines.count >= 3 { return String(lines[2]) }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }

        func finish() -> ProcessTermination? {
            write("\n")
            close(input)
            if let termination = child.wait(timeout: .seconds(3)) { return termination }
            child.stop()
            return nil
        }
    }

    @Test func passPersistNotifiesAndItsGetsSeeTheBackgroundEvaluation() async throws {
        let node = try Node()
        defer { node.scratch.remove() }
        let receiver = try await Receiver()
        // A long cache time: only the background evaluation can make GETs see the drain soon.
        let process = try PassPersist(
            [
                "--snmp-config", node.access, "--notify", "127.0.0.1:\(receiver.port)",
                "--notify-interval", "200ms", "--cache-time", "1h",
            ] + node.options, scratch: node.scratch)
        #expect(await process.get() == "250")
        try #require(await receiver.wait(count: 1).count == 1, "log: \(node.log)")
        try node.drain()
        let drained = await receiver.wait(count: 2)
        try #require(drained.count == 2, "log: \(node.log)")
        #expect(Self.report(drained[1]) == "-1")
        #expect(drained[1].securityName == "loadbalancing")
        #expect(await process.get() == "-1")
        try await Task.sleep(for: .seconds(1))
        #expect(receiver.all.count == 2)
        try node.undrain()
        let back = await receiver.wait(count: 3)
        #expect(back.count == 3)
        #expect(back.last.flatMap(Self.report) == "250")
        #expect(process.finish() == .exited(0))
        await receiver.stop()
    }

    @Test func aReceiverThatIsDownNeverStopsTheAnswers() async throws {
        let node = try Node()
        defer { node.scratch.remove() }
        let nobody = try Peers.freeUDPPort()
        let process = try PassPersist(
            [
                "--snmp-config", node.access, "--notify", "127.0.0.1:\(nobody)", "--notify-interval", "100ms",
                "--cache-time", "0",
            ] + node.options, scratch: node.scratch)
        for round in 0..<6 {
            if round % 2 == 1 { try node.drain() } else if round > 0 { try node.undrain() }
            let expected = round % 2 == 1 ? "-1" : "250"
            let started = ContinuousClock.now
            #expect(await process.get() == expected, "round \(round)")
            // Generous: answers come from the cache or a fresh evaluation, never after a send.
            #expect(ContinuousClock.now - started < .seconds(3), "round \(round)")
        }
        // The failed INFORM (two attempts of 500 ms) is logged, and GETs are still answered.
        let end = ContinuousClock.now + .seconds(10)
        while !node.log.contains("cannot notify 127.0.0.1:\(nobody)") && ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(node.log.contains("cannot notify 127.0.0.1:\(nobody)"), "log: \(node.log)")
        #expect(await process.get() == "-1", "the last round drained the node")
        #expect(process.finish() == .exited(0))
    }

    @Test func aNologinFileWakesTheEvaluationAtOnce() async throws {
        #if os(Linux)
            let node = try Node()
            defer { node.scratch.remove() }
            let receiver = try await Receiver()
            // An interval far longer than the test: only inotify can bring the drain.
            let process = try PassPersist(
                [
                    "--snmp-config", node.access, "--notify", "127.0.0.1:\(receiver.port)",
                    "--notify-interval", "1h",
                ] + node.options, scratch: node.scratch)
            try #require(await receiver.wait(count: 1).count == 1, "log: \(node.log)")
            try node.drain()
            let drained = await receiver.wait(count: 2)
            #expect(drained.count == 2, "log: \(node.log)")
            #expect(drained.last.flatMap(Self.report) == "-1")
            try node.scratch.write("etc/iss.nologin", "")
            try node.undrain()
            // Still drained by iss.nologin: no change, nothing sent.
            try await Task.sleep(for: .milliseconds(500))
            #expect(receiver.all.count == 2)
            try FileManager.default.removeItem(atPath: node.scratch.path + "/etc/iss.nologin")
            let back = await receiver.wait(count: 3)
            #expect(back.count == 3, "log: \(node.log)")
            #expect(back.last.flatMap(Self.report) == "250")
            #expect(process.finish() == .exited(0))
            await receiver.stop()
        #endif
    }

    @Test func notifyNeedsCredentialsAndAKeepsRunningMode() throws {
        let node = try Node()
        defer { node.scratch.remove() }
        let oneShot = try Peers.run(LBClientBinary.path, node.options + ["--notify", "127.0.0.1"])
        #expect(oneShot.status != 0)
        #expect(oneShot.errors.contains("--notify works with --pass-persist"))
        let noCredentials = try Peers.run(
            LBClientBinary.path, node.options + ["--pass-persist", "--notify", "127.0.0.1"], input: "\n")
        #expect(noCredentials.status != 0)
        #expect(noCredentials.errors.contains("--notify needs --snmp-config"))
        let unknownUser = try Peers.run(
            LBClientBinary.path,
            node.options + [
                "--pass-persist", "--notify", "127.0.0.1", "--snmp-config", node.access, "--notify-user", "x",
            ],
            input: "\n")
        #expect(unknownUser.errors.contains("no `createUser x ...` line"))
        let badShare = try Peers.run(LBClientBinary.path, node.options + ["--notify-change", "20"])
        #expect(badShare.errors.contains("write e.g. 20% or off"))
        let fast = try Peers.run(LBClientBinary.path, node.options + ["--notify-interval", "10ms"])
        #expect(fast.errors.contains("at least 100ms"))
        for bad in ["a:b", "[::1", "host:70000", ""] {
            let run = try Peers.run(LBClientBinary.path, node.options + ["--pass-persist", "--notify", bad])
            #expect(run.errors.contains("is not HOST[:PORT]"), "\(bad): \(run.errors)")
        }
        let both = try Peers.run(
            LBClientBinary.path, node.options + ["--notify-user", "a", "--notify-community", "b"])
        #expect(both.errors.contains("not both"))
    }

    @Test func snmpdConfPrintsThePassPersistLineWithNotify() throws {
        let run = try Peers.run(
            LBClientBinary.path,
            [
                "snmpd-conf", "--password", "long-enough", "--notify", "lbd.example.org", "--notify",
                "[::1]:1162",
                "--snmp-config", "/etc/lb/notify.conf",
            ])
        #expect(run.status == 0, "\(run.errors)")
        #expect(
            run.output.contains(
                "pass_persist .1.3.6.1.4.1.96.255.1 /usr/sbin/lbclient --pass-persist --notify lbd.example.org --notify [::1]:1162 --snmp-config /etc/lb/notify.conf --notify-user loadbalancing\n"
            ), "\(run.output)")
        #expect(run.output.contains("createUser and rouser lines above into /etc/lb/notify.conf"))
        let pass = try Peers.run(LBClientBinary.path, ["snmpd-conf", "--mode", "pass", "--notify", "lbd"])
        #expect(pass.status != 0)
        #expect(pass.errors.contains("--notify needs --mode pass-persist"))
    }
}
