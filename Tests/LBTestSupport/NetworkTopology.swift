import Foundation

/// The network of an HA pair test: two lbd instances in namespaces `a` and `b`, each with a link
/// to the root namespace (where BIND, the nodes and PostgreSQL listen), and a direct link between
/// them that carries the heartbeat (and the zone transfers of an embedded standby).
///
/// ```
///   a ── rootLinkA ── root (services, nodes) ── rootLinkB ── b
///   └──────────────────── peerLink ─────────────────────────┘
/// ```
///
/// The root namespace does not forward, so with ``peerLink`` down `a` and `b` cannot reach each
/// other at all while both still reach every service. Invariant: ``tearDown()`` leaves no
/// namespace, interface or program of the topology behind.
public final class HAPairTopology: Sendable {
    public let lab: NetworkLab
    public let a: NetworkNamespace
    public let b: NetworkNamespace
    public let rootLinkA: VethLink
    public let rootLinkB: VethLink
    public let peerLink: VethLink
    /// Addresses of the root namespace for the nodes, one per node, reachable from both.
    public let nodeAddresses: [String]

    /// Builds the topology with `nodes` node addresses; everything made so far is removed when
    /// a step fails.
    public init(nodes: Int = 3) throws {
        let lab = try NetworkLab()
        do {
            a = try lab.namespace("a")
            b = try lab.namespace("b")
            rootLinkA = try lab.connectToRoot(a)
            rootLinkB = try lab.connectToRoot(b)
            peerLink = try lab.connect(a, b)
            let prefix = rootLinkA.first.address.split(separator: ".").dropLast().joined(separator: ".")
            nodeAddresses = (0..<nodes).map { "\(prefix).\(11 + $0)" }
            for address in nodeAddresses { try lab.addRootAddress(address, to: rootLinkA) }
        } catch {
            lab.tearDown()
            throw error
        }
        self.lab = lab
    }

    /// The root namespace's address for services (BIND, PostgreSQL), reachable from both.
    public var serviceAddress: String { rootLinkA.first.address }
    /// Where the test (in the root namespace) reaches `a` and `b`.
    public var aAddress: String { rootLinkA.second.address }
    public var bAddress: String { rootLinkB.second.address }
    /// Where `a` and `b` reach each other, over ``peerLink`` only.
    public var aPeerAddress: String { peerLink.first.address }
    public var bPeerAddress: String { peerLink.second.address }

    public func tearDown() { lab.tearDown() }

    deinit { lab.tearDown() }
}
