import Foundation
import Synchronization
import Testing

/// A Linux network namespace made by a test (`ip netns add`), with the programs started in it.
///
/// Names are `lbt-<pid>-<n>-<label>`, so namespaces left behind by a test process that was killed
/// are recognised and swept by the next ``NetworkLab``. Invariant: a namespace is deleted at
/// most once, after every program this object started in it was killed.
public final class NetworkNamespace: Sendable, CustomStringConvertible {
    /// The name `ip netns` knows it by.
    public let name: String
    private let processes = Mutex<[PeerProcess]>([])
    private let deleted = Atomic(false)

    init(name: String) throws {
        self.name = name
        try NetworkLab.ip(["netns", "add", name])
        do {
            try NetworkLab.ip(["-n", name, "link", "set", "lo", "up"])
        } catch {
            try? NetworkLab.ip(["netns", "del", name])
            throw error
        }
    }

    public var description: String { name }

    /// Runs `ip -n NAME arguments...`, throwing with ip's message when it fails.
    public func ip(_ arguments: [String]) throws {
        try NetworkLab.ip(["-n", name] + arguments)
    }

    /// Starts `program` inside the namespace (`ip netns exec`, which execs it: the pid is the
    /// program's own), stopped with the namespace unless the caller stops it first.
    public func spawn(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws
        -> PeerProcess
    {
        let process = try PeerProcess(
            try NetworkLab.ipPath(), ["netns", "exec", name, program] + arguments, environment: environment)
        processes.withLock { $0.append(process) }
        return process
    }

    /// Runs `program` inside the namespace to completion (killed after `timeout` seconds).
    public func run(_ program: String, _ arguments: [String], timeout: Double = 10) throws -> (
        status: Int32, output: String, errors: String
    ) {
        try Peers.run(
            try NetworkLab.ipPath(), ["netns", "exec", name, program] + arguments, timeout: timeout)
    }

    /// Kills what was started here (SIGKILL to each process group; a stopped process dies too)
    /// and deletes the namespace with the interfaces in it.
    public func delete() {
        guard !deleted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for process in processes.withLock({ $0 }) where process.isRunning {
            kill(-process.pid, SIGKILL)
            kill(process.pid, SIGKILL)
            _ = process.waitForExit(timeout: 5)
        }
        try? NetworkLab.ip(["netns", "del", name])
    }

    deinit { delete() }
}

/// A point-to-point link made of a veth pair, each end in a namespace (`nil`: the root one).
public struct VethLink: Sendable, CustomStringConvertible {
    public struct End: Sendable {
        public let namespace: NetworkNamespace?
        public let interface: String
        /// `10.99.x.y`, without the prefix length.
        public let address: String
    }

    public let first: End
    public let second: End

    public var description: String {
        "\(first.interface)(\(first.address))<->\(second.interface)(\(second.address))"
    }

    /// Sets both ends down or up: with `false` nothing crosses the link, and the routes through
    /// it are gone, as when a cable is pulled. Setting up again restores the connected routes only.
    public func setUp(_ up: Bool) throws {
        for end in [first, second] {
            let command = ["link", "set", end.interface, up ? "up" : "down"]
            if let namespace = end.namespace { try namespace.ip(command) } else { try NetworkLab.ip(command) }
        }
    }
}

/// The namespaces and veth links of one test, all removed by ``tearDown()`` (also run by
/// `deinit`, so a failing test that throws still cleans up).
///
/// Addresses come from 10.99.0.0/16, one /24 per link, a /24 whose third octet no interface of
/// the root namespace uses yet. Needs root (CAP_NET_ADMIN) and iproute2: ``available`` says
/// whether the tests can run, failing them when `LB_REQUIRE_PEERS=1`.
public final class NetworkLab: Sendable {
    private struct State {
        var namespaces: [NetworkNamespace] = []
        var rootInterfaces: [String] = []
        var torn = false
    }

    private let state = Mutex(State())
    private let serial: Int
    private static let counter = Atomic(0)
    /// Third octets handed out by this process and not yet released: the root namespace may not
    /// show them yet (an interface is being made), or not at all (a link between two namespaces).
    private static let reservedOctets = Mutex<Set<Int>>([])
    private let ownOctets = Mutex<[Int]>([])

    public init() throws {
        serial = Self.counter.add(1, ordering: .relaxed).newValue
        Self.sweepStaleNamespaces()
    }

    /// Whether network namespace tests can run here: root, `ip`, and `ip netns add` working.
    /// Otherwise an issue is recorded when peers are required, and the caller returns early.
    public static func available() -> Bool {
        guard Peers.available("ip") else { return false }
        if getuid() == 0 { return true }
        if Peers.required {
            Issue.record("network namespace tests need root (CAP_NET_ADMIN) for ip netns and veth")
        }
        return false
    }

    static func ipPath() throws -> String {
        guard let path = Peers.find("ip") else { throw PeerError("ip (iproute2) is not installed") }
        return path
    }

    /// Runs `ip arguments...`; throws with its error output when it fails.
    static func ip(_ arguments: [String]) throws {
        let result = try Peers.run(try ipPath(), arguments, timeout: 10)
        guard result.status == 0 else {
            throw PeerError(
                "ip \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.errors)")
        }
    }

    /// A new namespace, `lo` up.
    public func namespace(_ label: String) throws -> NetworkNamespace {
        let index = state.withLock { $0.namespaces.count }
        let namespace = try NetworkNamespace(name: "lbt-\(getpid())-\(serial)x\(index)-\(label)")
        state.withLock { $0.namespaces.append(namespace) }
        return namespace
    }

    /// A /24 of 10.99.0.0/16 that nothing in the root namespace uses and this process has not
    /// handed out: its third octet.
    public func freeSubnet() throws -> Int {
        let used =
            (try? Peers.run(try Self.ipPath(), ["-o", "-4", "addr", "show"], timeout: 10).output) ?? ""
        let taken = Set(
            used.split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: "inet 10.99.") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            })
        // Start from a place that depends on the pid, so that two test processes rarely race.
        let start = Int(getpid()) % 200
        return try Self.reservedOctets.withLock { reserved in
            for offset in 0..<250 {
                let octet = 1 + (start + offset) % 250
                if !taken.contains(octet), !reserved.contains(octet) {
                    reserved.insert(octet)
                    ownOctets.withLock { $0.append(octet) }
                    return octet
                }
            }
            throw PeerError("no free /24 in 10.99.0.0/16")
        }
    }

    /// A veth pair between `namespace` and the root namespace on a fresh /24: the root end gets
    /// `.1`, the namespace end `.2`, and the namespace routes all of 10.99.0.0/16 through the root
    /// end (no default route: nothing leaves the machine). The root namespace does not forward,
    /// so two namespaces reach each other's root ends but never each other through the root.
    public func connectToRoot(_ namespace: NetworkNamespace) throws -> VethLink {
        let octet = try freeSubnet()
        let rootName = interfaceName("r")
        let inner = "eth-root"
        state.withLock { $0.rootInterfaces.append(rootName) }
        try Self.ip(["link", "add", rootName, "type", "veth", "peer", "name", inner, "netns", namespace.name])
        try Self.ip(["addr", "add", "10.99.\(octet).1/24", "dev", rootName])
        try Self.ip(["link", "set", rootName, "up"])
        try namespace.ip(["addr", "add", "10.99.\(octet).2/24", "dev", inner])
        try namespace.ip(["link", "set", inner, "up"])
        try namespace.ip(["route", "add", "10.99.0.0/16", "via", "10.99.\(octet).1", "dev", inner])
        return VethLink(
            first: .init(namespace: nil, interface: rootName, address: "10.99.\(octet).1"),
            second: .init(namespace: namespace, interface: inner, address: "10.99.\(octet).2"))
    }

    /// A direct veth pair between two namespaces on a fresh /24 (`.1` in `first`, `.2` in
    /// `second`); its connected route is more specific than the route through the root.
    public func connect(_ first: NetworkNamespace, _ second: NetworkNamespace) throws -> VethLink {
        let octet = try freeSubnet()
        let names = (
            "eth-\(second.name.split(separator: "-").last ?? "peer")".prefix(15),
            "eth-\(first.name.split(separator: "-").last ?? "peer")".prefix(15)
        )
        try first.ip([
            "link", "add", String(names.0), "type", "veth", "peer", "name", String(names.1), "netns",
            second.name,
        ])
        try first.ip(["addr", "add", "10.99.\(octet).1/24", "dev", String(names.0)])
        try first.ip(["link", "set", String(names.0), "up"])
        try second.ip(["addr", "add", "10.99.\(octet).2/24", "dev", String(names.1)])
        try second.ip(["link", "set", String(names.1), "up"])
        return VethLink(
            first: .init(namespace: first, interface: String(names.0), address: "10.99.\(octet).1"),
            second: .init(namespace: second, interface: String(names.1), address: "10.99.\(octet).2"))
    }

    /// Adds `address` (a /32 of the link's /24) to the root end of `link`, for a service of the
    /// root namespace that needs an address of its own (a node).
    public func addRootAddress(_ address: String, to link: VethLink) throws {
        try Self.ip(["addr", "add", "\(address)/32", "dev", link.first.interface])
    }

    /// Kills every program started in the namespaces, deletes the root ends of the links (which
    /// deletes their peers) and the namespaces. Idempotent.
    public func tearDown() {
        let (namespaces, interfaces) = state.withLock { state -> ([NetworkNamespace], [String]) in
            if state.torn { return ([], []) }
            state.torn = true
            return (state.namespaces, state.rootInterfaces)
        }
        for namespace in namespaces { namespace.delete() }
        for interface in interfaces { try? Self.ip(["link", "del", interface]) }
        let octets = ownOctets.withLock { $0 }
        Self.reservedOctets.withLock { $0.subtract(octets) }
    }

    /// Root interface names are at most 15 bytes: `lbt`, the pid, the kind, the lab, `x`, the
    /// index (`lbt123456r12x0`).
    private func interfaceName(_ kind: String) -> String {
        let index = state.withLock { $0.rootInterfaces.count }
        return "lbt\(getpid() % 1_000_000)\(kind)\(serial % 100)x\(index % 10)"
    }

    /// Deletes the `lbt-<pid>-` namespaces of test processes that no longer run (a test killed
    /// by a timeout leaves them); a veth pair goes with either end, so their root ends go too.
    static func sweepStaleNamespaces() {
        guard let path = try? ipPath() else { return }
        let alive = { (pid: Int32) in kill(pid, 0) == 0 || errno == EPERM }
        let namespaces = (try? Peers.run(path, ["netns", "list"], timeout: 10).output) ?? ""
        for line in namespaces.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            let parts = name.split(separator: "-")
            guard parts.count >= 3, parts[0] == "lbt", let pid = Int32(parts[1]), !alive(pid) else {
                continue
            }
            _ = try? Peers.run(path, ["netns", "del", name], timeout: 10)
        }
    }

    deinit { tearDown() }
}
