import DNS
import Foundation
import LBTestSupport
import NIOCore
import Synchronization

/// Everything an HA pair test runs: the namespaces, three `lbclient agent` nodes in the root
/// namespace, and `lbd-a` (in `a`, the heartbeat master) and `lbd-b` (in `b`). BIND is started by
/// tests that publish by RFC 2136.
///
/// The nodes make the two instances decide differently, so DNS shows who published: node 0
/// (load 10) answers only `a`'s subnet, nodes 1 and 2 (loads 20, 30) answer both. With
/// `best_hosts: 1`, `a` publishes node 0 and `b` publishes node 1.
final class HAPairFixture {
    static let alias = "www.ha.test"
    static let pollingInterval = 1

    let topology: HAPairTopology
    let nodes: [HANode]
    let snmpPort: Int
    let a: HAInstance
    let b: HAInstance

    /// What only `a` publishes, and what `b` publishes.
    var onlyA: [String] { [nodes[0].address] }
    var fromB: [String] { [nodes[1].address] }

    init() throws {
        topology = try HAPairTopology(nodes: 3)
        do {
            snmpPort = try Peers.freeUDPPort()
            let aSubnet = topology.rootLinkA.first.address.split(separator: ".").dropLast().joined(
                separator: ".")
            nodes = [
                try HANode(
                    address: topology.nodeAddresses[0], port: snmpPort, load: 10, aliases: [Self.alias],
                    allowedFrom: "\(aSubnet).0/24"),
                try HANode(
                    address: topology.nodeAddresses[1], port: snmpPort, load: 20, aliases: [Self.alias]),
                try HANode(
                    address: topology.nodeAddresses[2], port: snmpPort, load: 30, aliases: [Self.alias]),
            ]
            a = try HAInstance(name: "lbd-a", namespace: topology.a)
            b = try HAInstance(name: "lbd-b", namespace: topology.b)
        } catch {
            topology.tearDown()
            throw error
        }
    }

    /// The bearer token file of both instances: an address other than loopback must be guarded
    /// (the heartbeat file stays open to the standby).
    static let httpTokenFile: String = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbd-ha-http-token-\(ProcessInfo.processInfo.processIdentifier)")
        try? "ha-pair-http-token-0123456789\n".write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }()

    /// The configuration of `instance`: the alias, SNMP to the nodes, `publishing` (a `dns`
    /// section), `ha` (the section's lines, indented by two), HTTP on every address at 8080.
    func configuration(publishing: String, ha: String) -> String {
        """
        version: 1
        defaults:
          polling_interval: \(Self.pollingInterval)s
        aliases:
          \(Self.alias):
            members: [\(nodes.map(\.address).joined(separator: ", "))]
            best_hosts: 1
        snmp:
          version: v2c
          community: public
          port: \(snmpPort)
          timeout: 500ms
          retries: 0
        \(publishing)
        ha:
        \(ha)
        http:
          listen: 0.0.0.0:8080
          token_file: \(Self.httpTokenFile)

        """
    }

    /// The `ha` lines of heartbeat mode for `instance`: master `lbd-a`, read over the direct link.
    func heartbeat(_ instance: HAInstance, takeoverAfter: Int = 6, holdDown: Int = 6, extra: String = "")
        -> String
    {
        """
          mode: heartbeat
          master: lbd-a
          heartbeat_directory: \(instance.heartbeatDirectory)
          heartbeat_file: heartbeat
          heartbeat_url: http://\(topology.aPeerAddress):8080/load-balancing/heartbeat
          takeover_after: \(takeoverAfter)
          hold_down: \(holdDown)
        \(extra)
        """
    }

    /// The heartbeat as golbd's standby reads it: an HTTP GET from `b` over the direct link.
    func fetchHeartbeatFromB() throws -> (status: Int32, body: String) {
        guard let curl = Peers.find("curl") else { throw PeerError("curl is not installed") }
        let result = try topology.b.run(
            curl, ["-s", "-f", "-m", "2", "http://\(topology.aPeerAddress):8080/load-balancing/heartbeat"])
        return (result.status, result.output)
    }

    func tearDown() {
        a.stop()
        b.stop()
        for node in nodes { node.stop() }
        topology.tearDown()
    }

    func logs() -> String { "\(a.tail())\n\(b.tail())" }

    deinit { tearDown() }
}

/// Reads an alias's A records over and over (every 100 ms) and keeps each distinct answer with
/// when it was first seen, so that a test can assert what DNS never showed.
final class DNSWatch: Sendable {
    struct Sample: Sendable {
        let at: ContinuousClock.Instant
        let answer: [String]?
    }

    /// What the watching task and the test share.
    private final class Storage: Sendable {
        let samples = Mutex<[Sample]>([])
        let stopped = Atomic(false)
    }

    private let storage = Storage()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts watching `alias` at `server`; bounded to `seconds`.
    init(_ alias: String, at server: SocketAddress, seconds: Int = 90) {
        let handle = Task { [storage] in
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !storage.stopped.load(ordering: .relaxed), ContinuousClock.now < deadline {
                let answer = try? await ChaosDNS.addresses(alias, at: server)
                storage.samples.withLock { $0.append(Sample(at: .now, answer: answer)) }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        task.withLock { $0 = handle }
    }

    func stop() async {
        storage.stopped.store(true, ordering: .relaxed)
        await task.withLock { $0 }?.value
    }

    /// The samples since `instant`.
    func answers(since instant: ContinuousClock.Instant = .now - .seconds(3600)) -> [Sample] {
        storage.samples.withLock { $0.filter { $0.at >= instant } }
    }

    /// The distinct answers since `instant`, in the order first seen.
    func distinct(since instant: ContinuousClock.Instant = .now - .seconds(3600)) -> [[String]?] {
        var seen: [[String]?] = []
        for sample in answers(since: instant) where !seen.contains(where: { $0 == sample.answer }) {
            seen.append(sample.answer)
        }
        return seen
    }

    /// When `expected` was first seen after `instant`, if it was.
    func firstSeen(_ expected: [String], after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        answers(since: instant).first { $0.answer == expected }?.at
    }
}

/// Waiting for a condition, bounded in time.
enum HAWait {
    /// Checks `condition` every 100 ms for at most `seconds`; whether it held, and when.
    static func until(
        seconds: Double, _ condition: () async throws -> Bool
    ) async rethrows -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return .now }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await condition() ? .now : nil
    }
}
