import Foundation
import LBCore
import Logging

/// lbd's evaluation loop: polls the members of every alias that is due, decides with LBCore's
/// selection, hands the decision to the publishers and keeps it.
///
/// Each alias is scheduled on its own (`AliasSchedule`). Aliases due together are evaluated as
/// one batch, which polls a node shared by several of them once; batches run concurrently, so a
/// slow node delays only the aliases of its batch, and a slow DNS server only the publishing.
public actor EvaluationEngine {
    private var configuration: Configuration
    /// The served aliases by name, so that a batch finds each in constant time.
    private var served: [String: AliasConfiguration]
    private let poller: NodePoller
    private let publishers: [any Publisher]
    private let logger: Logger
    private var random: SeededRandomNumberGenerator
    private var schedule = AliasSchedule()
    /// The batches `run()` started that have not finished, by number.
    private var batches: [Int: Task<Void, Never>] = [:]
    private var nextBatch = 0
    private var latest: [String: AliasEvaluation] = [:]
    private let dryRun: Bool

    /// - Parameters:
    ///   - seed: the tie-break randomness and jitter; random by default.
    ///   - dryRun: publishers only report what they would change.
    public init(
        configuration: Configuration, poller: NodePoller, publishers: [any Publisher], logger: Logger,
        seed: UInt64 = UInt64.random(in: .min ... .max), dryRun: Bool = false
    ) {
        self.configuration = configuration
        self.served = Self.byName(configuration)
        self.poller = poller
        self.publishers = publishers
        self.logger = logger
        self.random = SeededRandomNumberGenerator(seed: seed)
        self.dryRun = dryRun
    }

    /// The latest evaluation of every alias evaluated so far, by alias name.
    public var evaluations: [String: AliasEvaluation] { latest }

    /// Evaluates every served alias now, as one batch, and returns the evaluations in alias
    /// name order (`lbd evaluate --once`).
    public func evaluateAll() async -> [AliasEvaluation] {
        let names = configuration.servedAliases.map(\.name)
        return await evaluate(names)
    }

    /// Takes a new configuration: aliases whose definition did not change keep their schedule
    /// and latest evaluation; new ones are due soon; removed ones are forgotten.
    public func reload(_ new: Configuration) {
        let old = served
        configuration = new
        served = Self.byName(new)
        latest = latest.filter { served[$0.key] != nil }
        for alias in new.servedAliases where old[alias.name] != nil && old[alias.name] != alias {
            // A changed definition is evaluated again soon, as a new alias would be.
            latest[alias.name] = nil
            schedule.forget(alias.name)
        }
        updateSchedule(now: ContinuousClock.now)
        poller.addressBook.keepOnly(Set(new.servedAliases.flatMap(\.members)))
    }

    /// Evaluates aliases as they fall due until the task is cancelled. An evaluation in flight
    /// then finishes, polls and publishing included, so an UPDATE is never cut in the middle and
    /// no decision is made from polls cut short: batches run in tasks of their own, which do not
    /// inherit the cancellation, and are awaited before returning.
    public func run() async {
        updateSchedule(now: ContinuousClock.now)
        while !Task.isCancelled {
            let due = schedule.takeDue(at: ContinuousClock.now)
            if !due.isEmpty {
                let id = nextBatch
                nextBatch += 1
                // Isolated to this actor, the task cannot start before it is recorded.
                batches[id] = Task {
                    _ = await self.evaluate(due, scheduled: true)
                    self.batches[id] = nil
                }
            }
            // Wake for the next due alias, and at least every second to notice finished
            // batches and reloads.
            let wake = min(schedule.nextWake ?? .now + .seconds(1), .now + .seconds(1))
            try? await Task.sleep(until: wake, clock: .continuous)
        }
        while let batch = batches.values.first {
            await batch.value
        }
    }

    private static func byName(_ configuration: Configuration) -> [String: AliasConfiguration] {
        Dictionary(configuration.servedAliases.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func updateSchedule(now: ContinuousClock.Instant) {
        let intervals = Dictionary(
            configuration.servedAliases.map { ($0.name, Duration.seconds($0.parameters.pollingInterval)) },
            uniquingKeysWith: { first, _ in first })
        schedule.update(intervals: intervals, now: now, using: &random)
    }

    /// Polls the members of `names` once, decides and publishes each; returns the evaluations
    /// in name order.
    private func evaluate(_ names: [String], scheduled: Bool = false) async -> [AliasEvaluation] {
        let aliases = names.compactMap { served[$0] }
        let reports = await poller.poll(Set(aliases.flatMap(\.members)))
        var decisions: [Decision] = []
        for alias in aliases {
            let members = alias.members.map {
                reports[$0] ?? NodeReport(node: $0, addresses: [], resolutionFailure: "not polled")
            }
            decisions.append(
                Selection.decide(
                    alias: alias.name, parameters: alias.parameters, members: members, using: &random))
        }
        let publishers = self.publishers
        let dryRun = self.dryRun
        let evaluations = await withTaskGroup(of: (Int, AliasEvaluation).self) { group in
            for (index, decision) in decisions.enumerated() {
                group.addTask {
                    var results: [PublicationResult] = []
                    if let addresses = decision.publish {
                        let publication = Publication(
                            alias: decision.alias, addresses: addresses,
                            ttl: decision.parameters.effectiveTTL,
                            external: decision.parameters.external)
                        for publisher in publishers {
                            results += await publisher.publish(publication, dryRun: dryRun)
                        }
                    }
                    return (index, AliasEvaluation(decision: decision, results: results, finishedAt: Date()))
                }
            }
            var evaluations = [AliasEvaluation?](repeating: nil, count: decisions.count)
            for await (index, evaluation) in group { evaluations[index] = evaluation }
            return evaluations.compactMap { $0 }
        }
        let now = ContinuousClock.now
        for evaluation in evaluations {
            let alias = evaluation.decision.alias
            // A reload may have dropped or changed the alias while it was being evaluated.
            guard served[alias] != nil else { continue }
            latest[alias] = evaluation
            if scheduled { schedule.finished(alias, at: now, using: &random) }
            log(evaluation)
        }
        return evaluations
    }

    /// One line per alias, and one debug line per member, with stable metadata fields.
    private func log(_ evaluation: AliasEvaluation) {
        let decision = evaluation.decision
        let chosen =
            decision.publish.map { $0.isEmpty ? "no address" : $0.map(\.description).joined(separator: " ") }
            ?? "(kept)"
        let previous = evaluation.results.first?.previous.map { $0.map(\.description).joined(separator: " ") }
        var metadata: Logger.Metadata = [
            "alias": "\(decision.alias)", "action": "\(evaluation.action)", "reason": "\(evaluation.reason)",
            "chosen": "\(chosen)",
        ]
        if let previous { metadata["previous"] = "\(previous)" }
        for member in decision.members {
            logger.debug(
                "member",
                metadata: [
                    "alias": "\(decision.alias)", "node": "\(member.node)",
                    "address":
                        "\(member.evaluation.addresses.map(\.address.description).joined(separator: " "))",
                    "load": "\(member.evaluation.load.map(String.init) ?? "none")",
                    "reason": "\(member.reason)",
                ])
        }
        for result in evaluation.results {
            if case .failed(let message) = result.action {
                logger.warning(
                    "publishing failed",
                    metadata: [
                        "alias": "\(decision.alias)", "action": "failed",
                        "reason": "\(result.target): \(message)",
                    ])
            }
        }
        let was = previous.map { $0.isEmpty ? " (was empty)" : " (was \($0))" } ?? ""
        let line = "\(decision.alias): \(evaluation.action) \(chosen)\(was): \(evaluation.reason)"
        if evaluation.action == "unchanged" {
            logger.info("\(line)", metadata: metadata)
        } else {
            logger.notice("\(line)", metadata: metadata)
        }
        for warning in decision.warnings {
            logger.warning("\(decision.alias): \(warning)", metadata: ["alias": "\(decision.alias)"])
        }
    }
}
