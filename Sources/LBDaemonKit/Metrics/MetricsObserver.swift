/// Turns each batch of the engine into metrics: the series of every alias evaluated, the RFC
/// 2136 UPDATE results and the batch's durations.
public struct MetricsObserver: EvaluationObserver {
    public let metrics: LBDMetrics

    public init(metrics: LBDMetrics) {
        self.metrics = metrics
    }

    public func observe(_ round: EvaluationRound) async {
        metrics.recordCycle(
            duration: round.duration, pollDuration: round.pollDuration, nodesPolled: round.nodesPolled)
        for evaluation in round.evaluations {
            metrics.updateAlias(evaluation.decision.alias) { $0.record(evaluation) }
            for result in evaluation.results {
                guard let view = PublishTargetLabel.view(of: result.target) else { continue }
                metrics.increment(MetricName.dnsUpdates, [("view", view)] + Self.outcome(result.action))
            }
        }
    }

    /// The `outcome` label, and for a failure the `code` label.
    static func outcome(_ action: PublicationResult.Action) -> [(String, String)] {
        switch action {
        case .unchanged: [("outcome", "unchanged")]
        case .updated: [("outcome", "updated")]
        case .wouldUpdate: [("outcome", "would_update")]
        case .failed(let failure): [("outcome", "failed"), ("code", failure.code.rawValue)]
        }
    }
}
