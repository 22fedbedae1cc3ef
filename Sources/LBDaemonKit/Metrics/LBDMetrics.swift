import CoreMetrics
import DNS
import LBCore
import Prometheus
import Synchronization

/// lbd's Prometheus metrics: one registry per `lbd run`, never the process-wide
/// `MetricsSystem`, so that several instances in one process (the tests) each count their own.
///
/// Invariant: every label value comes from the configuration (alias names, NOTIFY secondaries)
/// or from a fixed list of codes, never from what a node sent, so the number of series is
/// bounded by the configuration. The series of an alias that is no longer served are removed.
public final class LBDMetrics: Sendable {
    /// The series, in the Prometheus text format by `emit()`.
    public let registry: PrometheusCollectorRegistry
    /// swift-metrics objects made with this factory report into `registry`.
    public let factory: PrometheusMetricsFactory
    private let pollDuration: CoreMetrics.Timer
    private let cycleDuration: CoreMetrics.Timer
    private let cyclePollDuration: CoreMetrics.Timer
    private let nodesPolled: CoreMetrics.Gauge
    private let aliasesServed: CoreMetrics.Gauge
    private let state = Mutex(State())

    /// The counters `increment` made, by name and label values: every poll counts one, and the
    /// registry's own lookup (label sorting and hashing under its lock) is not for a hot path.
    private let counters = Mutex([String: CoreMetrics.Counter]())

    private struct State {
        /// nil until `serve(_:)`: every alias evaluated is then counted.
        var served: Set<String>?
        var aliases: [String: AliasMetrics] = [:]
    }

    /// Buckets of one SNMP GET: a loopback answer takes well under a millisecond, a timeout
    /// with retries seconds.
    static let pollBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    /// Buckets of a batch: polls, then UPDATEs that may be retried.
    static let cycleBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300),
    ]

    /// - Parameter version: the `version` label of `lbd_build_info`.
    public init(version: String = ProductVersion.current) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            MetricName.snmpPollDuration: Self.pollBuckets,
            MetricName.cycleDuration: Self.cycleBuckets,
            MetricName.cyclePollDuration: Self.cycleBuckets,
        ]
        self.registry = registry
        self.factory = factory
        pollDuration = CoreMetrics.Timer(label: MetricName.snmpPollDuration, factory: factory)
        cycleDuration = CoreMetrics.Timer(label: MetricName.cycleDuration, factory: factory)
        cyclePollDuration = CoreMetrics.Timer(label: MetricName.cyclePollDuration, factory: factory)
        nodesPolled = CoreMetrics.Gauge(label: MetricName.cycleNodesPolled, factory: factory)
        aliasesServed = CoreMetrics.Gauge(label: MetricName.aliasesServed, factory: factory)
        CoreMetrics.Gauge(label: MetricName.buildInfo, dimensions: [("version", version)], factory: factory)
            .record(1)
        for outcome in ["ok", "failed"] {
            _ = CoreMetrics.Counter(
                label: MetricName.reloads, dimensions: [("outcome", outcome)], factory: factory)
        }
    }

    /// What the engine tells: hand it to `EngineFactory.make(observers:)`.
    public var observer: MetricsObserver { MetricsObserver(metrics: self) }

    /// Every series, in the Prometheus text exposition format (version 0.0.4).
    public func emit() -> [UInt8] { registry.emitToBuffer() }

    /// The aliases served from now on: the series of any other alias are removed, and
    /// evaluations of other aliases (decided before a reload) are not counted.
    public func serve(_ aliases: Set<String>) {
        aliasesServed.record(aliases.count)
        let removed = state.withLock { state -> [AliasMetrics] in
            state.served = aliases
            let removed = state.aliases.filter { !aliases.contains($0.key) }
            for name in removed.keys { state.aliases[name] = nil }
            return Array(removed.values)
        }
        for metrics in removed { metrics.destroy() }
    }

    /// Counts one reload; an applied one also changes the aliases served (`serve(_:)`).
    public func recordReload(_ outcome: ReloadOutcome) {
        switch outcome {
        case .applied(let configuration):
            increment(MetricName.reloads, [("outcome", "ok")])
            serve(Set(configuration.servedAliases.map(\.name)))
        case .failed:
            increment(MetricName.reloads, [("outcome", "failed")])
        }
    }

    /// Counts one NOTIFY of the embedded server, by secondary and outcome.
    public func recordNotify(_ notification: ZoneNotification) {
        let outcome = notification.error.map { PublishingFailure.code(of: $0).rawValue } ?? "ok"
        increment(
            MetricName.dnsNotifies,
            [("secondary", notification.target.endpointDescription), ("outcome", outcome)])
    }

    /// Shows `role` as the one held (1) and the other as not (0).
    public func recordLeadership(_ role: LeadershipRole) {
        for candidate in [LeadershipRole.active, .standby] {
            CoreMetrics.Gauge(
                label: MetricName.leadershipRole, dimensions: [("role", candidate.rawValue)], factory: factory
            ).record(candidate == role ? 1 : 0)
        }
    }

    // MARK: For MetricsObserver

    func recordCycle(duration: Duration, pollDuration: Duration, nodesPolled count: Int) {
        cycleDuration.recordNanoseconds(Self.nanoseconds(duration))
        cyclePollDuration.recordNanoseconds(Self.nanoseconds(pollDuration))
        nodesPolled.record(count)
    }

    /// Hands `alias`'s series to `update`, creating them at the first evaluation; does nothing
    /// for an alias not served. Under the lock, so that a reload cannot remove the series
    /// while they are being updated and leave them registered.
    func updateAlias(_ alias: String, _ update: (inout AliasMetrics) -> Void) {
        let factory = self.factory
        state.withLock { state in
            if let served = state.served, !served.contains(alias) { return }
            var metrics = state.aliases[alias] ?? AliasMetrics(alias: alias, factory: factory)
            update(&metrics)
            state.aliases[alias] = metrics
        }
    }

    /// Adds one to the counter `name` with `dimensions` (created at 0 the first time).
    func increment(_ name: String, _ dimensions: [(String, String)]) {
        // Label values never hold "\u{0}" (they are configured names and fixed codes).
        let key = ([name] + dimensions.flatMap { [$0.0, $0.1] }).joined(separator: "\u{0}")
        let factory = self.factory
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension LBDMetrics: PollRecorder {
    /// Counts the poll by outcome (`ok` for any load report, else the failure's code) and
    /// records its latency.
    public func recordPoll(_ reply: AddressReply, duration: Duration) {
        let outcome: String
        switch reply {
        case .integer, .text: outcome = "ok"
        case .failure(let failure): outcome = failure.code
        }
        increment(MetricName.snmpPolls, [("outcome", outcome)])
        pollDuration.recordNanoseconds(Self.nanoseconds(duration))
    }
}
