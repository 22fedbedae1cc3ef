import LBCore
import Logging
import SNMP

/// An engine and what it owns: `lbd run`, `lbd evaluate` and `lbd demo` all get theirs from
/// `EngineFactory`, so that polling and publishing are wired one way only.
public struct EngineAssembly: Sendable {
    public let engine: EvaluationEngine
    /// The SNMP client the poller uses; closed by `shutdown()`.
    public let client: SNMPClient
    /// The publishers the leadership gates (RFC 2136 UPDATEs; the embedded zone when it follows
    /// the active's).
    public let gatedPublishers: [any Publisher]

    /// Closes the SNMP sockets. Call after the engine stopped.
    public func shutdown() async {
        await client.shutdown()
    }
}

/// Builds the engine from a configuration: the SNMP client and poller, the publishers the
/// configuration asks for (recorded in the state directory when there is one), the embedded
/// zone's publisher, and the leadership that gates them.
public enum EngineFactory {
    /// How the embedded zone, when there is one, takes the decisions.
    public enum EmbeddedRole: Sendable {
        /// It takes every decision, whatever the leadership says (it serves its own choices).
        case alwaysPublishes
        /// Only the active publishes to it; a standby serves the zone it transfers from its peer.
        case gatedByLeadership
    }

    /// - Parameters:
    ///   - updates: whether to publish by RFC 2136 UPDATE to the configured DNS servers.
    ///   - state: records what UPDATEs published (the embedded zone records its own).
    ///   - resolve: how node names become addresses (the system resolver by default).
    ///   - observers: told of every batch (history, metrics).
    ///   - pollRecorder: told of every SNMP poll and its latency (metrics).
    ///   - published: what DNS holds for each alias at start (`StateStore.publishedAddresses`).
    ///   - drains: the operator's drains (`DrainBook`), read at each decision.
    public static func make(
        configuration: Configuration, logger: Logger, seed: UInt64, dryRun: Bool = false,
        updates: Bool = true, state: StateStore? = nil, embedded: EmbeddedZoneServer? = nil,
        embeddedRole: EmbeddedRole = .alwaysPublishes, leadership: any Leadership = StandaloneLeadership(),
        resolve: NodeAddressBook.Resolve? = nil, observers: [any EvaluationObserver] = [],
        pollRecorder: (any PollRecorder)? = nil, published: [String: Set<NodeAddress>] = [:],
        drains: (any DrainSource)? = nil
    ) async throws -> EngineAssembly {
        // The poller bounds the polls; the client only guards against a runaway (a node has an
        // address or two, each its own request).
        let bounds = NodePoller.Bounds(concurrency: configuration.snmp.concurrency)
        let client = try await SNMPClient.start(maximumInFlight: bounds.clientRequests)
        let port = configuration.snmp.port
        let addressBook =
            resolve.map { NodeAddressBook(port: port, resolve: $0) } ?? NodeAddressBook(port: port)
        let snmp = SNMPNodeProbe(client: client, settings: configuration.snmp)
        let probe: any NodeProbe =
            pollRecorder.map { RecordingNodeProbe(wrapping: snmp, recorder: $0) } ?? snmp
        let poller = NodePoller(addressBook: addressBook, probe: probe, bounds: bounds)
        var gated: [any Publisher] = []
        if updates {
            gated = PublisherSet.make(for: configuration, logger: logger).map { publisher in
                state.map { StateRecordingPublisher(wrapping: publisher, state: $0) } ?? publisher
            }
        }
        var ungated: [any Publisher] = []
        if let embedded {
            switch embeddedRole {
            case .alwaysPublishes: ungated.append(embedded.publisher)
            case .gatedByLeadership: gated.append(FollowEndingPublisher(embedded: embedded, logger: logger))
            }
        }
        let engine = EvaluationEngine(
            configuration: configuration, poller: poller, publishers: gated, logger: logger, seed: seed,
            dryRun: dryRun, leadership: leadership, ungatedPublishers: ungated, observers: observers,
            drains: drains, published: published)
        return EngineAssembly(engine: engine, client: client, gatedPublishers: gated)
    }
}
