import DNS
import Foundation
import LBTestSupport
import NIOCore
import SNMP
import Synchronization
import Testing

/// The migration path of docs/operations.md, "Moving an alias to another partition", with real
/// processes: two `lbd run` on one shared file (`--partition a`, `--partition b`) publishing by
/// RFC 2136 UPDATE to a real BIND, nodes answering SNMP on 127.0.0.2-5. One alias moves from a
/// to b in two steps (to a partition nobody serves, then to b) while a client reads BIND every
/// 200 ms: the alias always resolves to one of its members, the other aliases never change, and
/// the logs show a's last publication of the alias before b's first.
@Suite(.serialized) struct PartitionMigrationInteropTests {
    static let moving = "move.lb.example"
    /// The aliases that stay where they are, with the only answer each may ever give.
    static let steady = [
        "a1.lb.example": ["127.0.0.2"], "a2.lb.example": ["127.0.0.2"], "b1.lb.example": ["127.0.0.3"],
    ]
    static let aliases = [moving] + steady.keys.sorted()
    static let loadOID = OID(".1.3.6.1.4.1.96.255.1")!

    /// The shared file, with `moving` in `partition`. Partition a serves three aliases, so that
    /// withdrawing one stays within the default `reload.max_withdrawn_share`.
    static func configuration(movingTo partition: String, snmpPort: Int, dnsPort: Int, secret: String)
        -> String
    {
        """
        version: 1
        defaults:
          polling_interval: 1s
          when_none_usable: keep
        aliases:
          a1.lb.example: {members: [127.0.0.2, 127.0.0.3], partition: a}
          a2.lb.example: {members: [127.0.0.2], partition: a}
          \(moving): {members: [127.0.0.4, 127.0.0.5], partition: \(partition)}
          b1.lb.example: {members: [127.0.0.3], partition: b}
        snmp:
          version: v2c
          community: public
          port: \(snmpPort)
          timeout: 500ms
          retries: 0
        dns:
          server: 127.0.0.1:\(dnsPort)
          timeout: 1s
          retries: 1
          views:
            internal:
              key_name: lb-internal.
              algorithm: hmac-sha256
              secret: \(secret)

        """
    }

    static func key(_ name: String, _ secret: String) throws -> DNS.TSIGKey {
        try #require(
            DNS.TSIGKey(name: try DomainName(parsing: name), algorithm: .hmacSHA256, base64Secret: secret))
    }

    static func randomSecret() -> String {
        Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
    }

    static let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(500), retries: 0))

    /// The A records of `alias` in BIND's internal view (the query is signed so that the view
    /// answers), sorted; a description of the failure otherwise.
    static func read(_ alias: String, at server: SocketAddress, key: DNS.TSIGKey) async -> Result<
        [String], ReadFailure
    > {
        do {
            let query = DNSMessage(
                id: 0, questions: [Question(name: try DomainName(parsing: alias + "."), type: .a)])
            let response = try await client.update(query, server: server, key: key)
            let addresses = response.message.answers.compactMap { record -> String? in
                guard case .a(let address) = record.data else { return nil }
                return "\(address)"
            }
            return .success(addresses.sorted())
        } catch {
            return .failure(ReadFailure(description: "\(error)"))
        }
    }

    struct ReadFailure: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Reads every alias every 200 ms until stopped (at most 90 s), and keeps each answer of
    /// the moving alias in order, and every wrong answer.
    final class Watch: Sendable {
        struct State {
            var moving: [[String]] = []
            var failures: [String] = []
            var rounds = 0
        }
        let state = Mutex(State())
        let stopped = Atomic(false)

        func run(server: SocketAddress, key: DNS.TSIGKey) async {
            let deadline = ContinuousClock.now + .seconds(90)
            while !stopped.load(ordering: .relaxed), ContinuousClock.now < deadline {
                for alias in PartitionMigrationInteropTests.aliases {
                    let answer = await PartitionMigrationInteropTests.read(alias, at: server, key: key)
                    state.withLock { state in
                        switch answer {
                        case .failure(let failure):
                            state.failures.append("\(alias): \(failure)")
                        case .success(let addresses) where alias == PartitionMigrationInteropTests.moving:
                            if state.moving.last != addresses { state.moving.append(addresses) }
                            if addresses != ["127.0.0.4"], addresses != ["127.0.0.5"] {
                                state.failures.append("\(alias): \(addresses)")
                            }
                        case .success(let addresses):
                            if addresses != PartitionMigrationInteropTests.steady[alias] {
                                state.failures.append("\(alias): \(addresses)")
                            }
                        }
                    }
                }
                state.withLock { $0.rounds += 1 }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// One JSON log line of an lbd.
    struct LogLine {
        var time: String
        var message: String
        var fields: [String: Any]

        var alias: String? { fields["alias"] as? String }
        var action: String? { fields["action"] as? String }

        /// A decision published (or tried) for `alias`: read back, and updated when it differed.
        func isPublication(of alias: String) -> Bool {
            self.alias == alias && ["updated", "unchanged", "failed", "partly-failed"].contains(action ?? "")
        }
    }

    static func lines(_ process: PeerProcess) -> [LogLine] {
        process.errorOutput.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let time = object["time"] as? String, let message = object["message"] as? String
            else { return nil }
            return LogLine(time: time, message: message, fields: object)
        }
    }

    /// The time the logs write, in the same format, so that the test's own moments compare with
    /// theirs as strings.
    static func now() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    /// Waits (at most `seconds`) until `condition` holds; whether it did.
    static func waitUntil(seconds: Int, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    static func startLBD(config: String, partition: String, state: String) throws -> PeerProcess {
        try PeerProcess(
            try LBDCommandLineTests.executable(),
            [
                "run", "--config", config, "--partition", partition, "--state-dir", state, "--log-format",
                "json",
            ])
    }

    @Test func anAliasMovesToAnotherPartitionWithoutAGapAndWithoutTwoPublishers() async throws {
        guard Peers.available("named") else { return }
        let started = ContinuousClock.now
        let secrets = (internal: Self.randomSecret(), external: Self.randomSecret())
        let internalKey = try Self.key("lb-internal.", secrets.internal)
        let named = try await TwoViewNamed(
            aliases: Self.aliases, internalKey: internalKey,
            externalKey: try Self.key("lb-external.", secrets.external))
        defer { named.stop() }
        // move's best is .4 (30) until .4 is loaded more; a1's and a2's is .2, b1's .3.
        let (agents, snmpPort) = try await LoopbackAgents.start([10, 20, 30, 40])
        defer { Task { for agent in agents { await agent.stop() } } }

        let directory = try Peers.temporaryDirectory("lbd-partition-move")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("lbd.yaml")
        let write = { (partition: String) throws in
            // Atomically (a temporary file renamed over the old one), as the procedure says.
            try Self.configuration(
                movingTo: partition, snmpPort: snmpPort, dnsPort: named.port, secret: secrets.internal
            ).write(to: file, atomically: true, encoding: .utf8)
        }
        try write("a")
        let lbdA = try Self.startLBD(
            config: file.path, partition: "a", state: directory.appendingPathComponent("state-a").path)
        defer { lbdA.stop() }
        let lbdB = try Self.startLBD(
            config: file.path, partition: "b", state: directory.appendingPathComponent("state-b").path)
        defer { lbdB.stop() }
        let logs = { "a: \(lbdA.errorOutput.suffix(2500))\nb: \(lbdB.errorOutput.suffix(2500))" }
        let server = named.address
        let expected = Self.steady.merging([Self.moving: ["127.0.0.4"]]) { $1 }

        // Both instances publish their partitions.
        let published = await Self.waitUntil(seconds: 20) {
            for (alias, addresses) in expected {
                guard await Self.read(alias, at: server, key: internalKey) == .success(addresses) else {
                    return false
                }
            }
            return true
        }
        try #require(published, "the aliases were not published: \(logs())")
        #expect(!Self.lines(lbdB).contains { $0.isPublication(of: Self.moving) }, "\(logs())")

        let watch = Watch()
        let watching = Task { await watch.run(server: server, key: internalKey) }
        try await Task.sleep(for: .seconds(1))

        // Step 1: to a partition nobody serves. a withdraws it once its publications in flight
        // are done; b reloads and still does not serve it.
        let reloaded = { (process: PeerProcess) in
            Self.lines(process).filter { $0.action == "reloaded" }.count
        }
        let reloadsBefore = (a: reloaded(lbdA), b: reloaded(lbdB))
        try write("moving")
        let withdrawn = await Self.waitUntil(seconds: 10) {
            Self.lines(lbdA).contains { $0.alias == Self.moving && $0.action == "withdrawn" }
                && reloaded(lbdA) > reloadsBefore.a && reloaded(lbdB) > reloadsBefore.b
        }
        try #require(withdrawn, "step 1 was not applied: \(logs())")

        // Nobody serves it now: its best member changes (.4 loaded more), and DNS keeps the
        // last records, still a member.
        agents[2].register(Self.loadOID, value: .integer(90))
        try await Task.sleep(for: .seconds(3))
        #expect(await Self.read(Self.moving, at: server, key: internalKey) == .success(["127.0.0.4"]))

        // Step 2: to b, which evaluates it at once and publishes the new best member.
        let step2 = Self.now()
        try write("b")
        let moved = await Self.waitUntil(seconds: 10) {
            await Self.read(Self.moving, at: server, key: internalKey) == .success(["127.0.0.5"])
        }
        #expect(moved, "b did not publish the moved alias: \(logs())")
        try await Task.sleep(for: .seconds(2))
        watch.stopped.store(true, ordering: .relaxed)
        await watching.value

        let watched = watch.state.withLock { $0 }
        #expect(watched.failures.isEmpty, "\(watched.failures.prefix(20)) \(logs())")
        #expect(watched.rounds > 20)
        // One change, never back: a second publisher would flip it.
        #expect(watched.moving == [["127.0.0.4"], ["127.0.0.5"]], "\(watched.moving)")

        let linesA = Self.lines(lbdA)
        let linesB = Self.lines(lbdB)
        let publicationsA = linesA.filter { $0.isPublication(of: Self.moving) }
        let publicationsB = linesB.filter { $0.isPublication(of: Self.moving) }
        let withdrawal = try #require(
            linesA.firstIndex { $0.alias == Self.moving && $0.action == "withdrawn" })
        try #require(!publicationsA.isEmpty && !publicationsB.isEmpty, "\(logs())")
        // a published it only before it logged the withdrawal, b only after step 2.
        #expect(!linesA[withdrawal...].contains { $0.isPublication(of: Self.moving) }, "\(logs())")
        #expect(publicationsA.last!.time < linesA[withdrawal].time)
        #expect(linesA[withdrawal].time < step2)
        #expect(publicationsB.allSatisfy { $0.time > step2 }, "\(logs())")
        #expect(publicationsB.first?.action == "updated")
        #expect(publicationsB.first?.fields["chosen"] as? String == "127.0.0.5")
        // Nothing was refused, and the aliases that stayed were never withdrawn.
        for line in linesA + linesB {
            #expect(line.action != "reload-refused" && line.action != "reload-failed", "\(line.message)")
            if line.action == "withdrawn" { #expect(line.alias == Self.moving, "\(line.message)") }
        }
        print(
            "[partition-move] \(watched.rounds) read rounds; the test took \(ContinuousClock.now - started)")
    }
}
