import CoreMetrics
import LBCore

/// The series of one served alias: created at its first evaluation, destroyed (unregistered,
/// gone from `/metrics`) when a reload stops serving it.
struct AliasMetrics {
    private let alias: String
    private let factory: any MetricsFactory
    /// Created at the first decision that publishes: an alias whose first decision keeps DNS as
    /// it is has no published count to show yet.
    private var published: CoreMetrics.Gauge?
    private let usable: CoreMetrics.Gauge
    private let members: CoreMetrics.Gauge
    private let changes: CoreMetrics.Counter
    private let fallbacks: [NoUsableNodePolicy: CoreMetrics.Counter]
    /// By target label, created at the first failure.
    private var publishFailures: [String: CoreMetrics.Counter] = [:]
    /// The set published by the latest decision that published one.
    private var lastPublished: [NodeAddress]?

    init(alias: String, factory: any MetricsFactory) {
        self.alias = alias
        self.factory = factory
        let dimensions = [("alias", alias)]
        usable = CoreMetrics.Gauge(
            label: MetricName.aliasUsableMembers, dimensions: dimensions, factory: factory)
        members = CoreMetrics.Gauge(label: MetricName.aliasMembers, dimensions: dimensions, factory: factory)
        changes = CoreMetrics.Counter(
            label: MetricName.aliasDecisionChanges, dimensions: dimensions, factory: factory)
        // All three from the start, so that a rate over them is 0 rather than no data.
        var fallbacks: [NoUsableNodePolicy: CoreMetrics.Counter] = [:]
        for policy in NoUsableNodePolicy.allCases {
            fallbacks[policy] = CoreMetrics.Counter(
                label: MetricName.aliasPolicyFallbacks,
                dimensions: [("alias", alias), ("policy", policy.rawValue)],
                factory: factory)
        }
        self.fallbacks = fallbacks
    }

    /// Takes one evaluation of the alias.
    mutating func record(_ evaluation: AliasEvaluation) {
        let decision = evaluation.decision
        usable.record(decision.usableCount)
        members.record(decision.members.count)
        if let policy = decision.appliedPolicy { fallbacks[policy]?.increment() }
        if let publish = decision.publish {
            if published == nil {
                published = CoreMetrics.Gauge(
                    label: MetricName.aliasPublishedAddresses, dimensions: [("alias", alias)],
                    factory: factory)
            }
            published?.record(publish.count)
            if let lastPublished, lastPublished != publish { changes.increment() }
            lastPublished = publish
        }
        for result in evaluation.results {
            guard case .failed = result.action else { continue }
            let target = PublishTargetLabel.of(result.target)
            if publishFailures[target] == nil {
                publishFailures[target] = CoreMetrics.Counter(
                    label: MetricName.aliasPublishFailures,
                    dimensions: [("alias", alias), ("target", target)],
                    factory: factory)
            }
            publishFailures[target]?.increment()
        }
    }

    /// Unregisters every series of the alias.
    func destroy() {
        published?.destroy()
        usable.destroy()
        members.destroy()
        changes.destroy()
        for counter in fallbacks.values { counter.destroy() }
        for counter in publishFailures.values { counter.destroy() }
    }
}
