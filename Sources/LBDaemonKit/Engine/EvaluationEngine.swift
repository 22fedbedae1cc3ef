import Foundation
import LBCore
import Logging

/// lbd's evaluation loop: polls the members of every alias that is due, decides with LBCore's
/// selection, hands the decision to the publishers and keeps it.
///
/// Each alias is scheduled on its own (`AliasSchedule`). Aliases due together are evaluated as
/// one batch, which polls a node shared by several of them once; batches run concurrently. Within
/// a batch, an alias is decided once its own members have answered (and every poll of the batch
/// has started), so a slow node delays only the aliases it is a member of, and a slow DNS server
/// only the publishing.
public actor EvaluationEngine {
    private var configuration: Configuration
    /// The served aliases and their members, numbered: what the engine keeps per member is in
    /// arrays by these numbers. Renumbered at each reload (`generation` grows with it).
    private var served: NumberedAliases
    private let poller: NodePoller
    private let publishers: [any Publisher]
    /// Publishers that take every decision, whatever the role (the embedded zone of a standby
    /// that has no peer to follow).
    private let ungatedPublishers: [any Publisher]
    private let leadership: any Leadership
    /// Told of every batch once published (history, metrics).
    private let observers: [any EvaluationObserver]
    private let logger: Logger
    private var random: SeededRandomNumberGenerator
    private var schedule = AliasSchedule()
    /// The batches `run()` started that have not finished, by number.
    private var batches: [Int: Task<Void, Never>] = [:]
    private var nextBatch = 0
    /// The latest evaluation of each served alias, by alias number; nil until it is evaluated.
    private var latest: [AliasEvaluation?] = []
    private let dryRun: Bool
    /// Grows at each reload, so that a batch knows whether the configuration it polled for is
    /// still the one in force.
    private var generation = 0
    /// Publications in flight, by the generation of the configuration they were decided under.
    private var publishing: [Int: Int] = [:]
    /// Reloads waiting for the publications of older generations to finish.
    private var reloadWaiters: [(generation: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// What each served alias remembers between evaluations (what DNS holds, `rise`/`fall`
    /// streaks, the order of its decisions), by alias number. Kept across reloads while the
    /// alias is served.
    private var memories: [AliasMemory] = []
    /// The newest report of every member, by member number: a refresh of one node decides from
    /// the others' latest reports.
    private var reports: [NodeReport?] = []
    /// When the poll that gave each member's newest report started, by member number: a batch
    /// never decides from a report older than one a refresh already used. Apart from `reports`,
    /// so that comparing instants does not copy reports.
    private var reportPolledAt: [ContinuousClock.Instant?] = []
    /// Whether each member's newest report is silence (every address timed out), by member
    /// number: such nodes are polled first. Apart from `reports`, so that ordering a batch does
    /// not copy a hundred thousand reports.
    private var silentLastTime: [Bool] = []
    private let drains: (any DrainSource)?
    /// Seconds since 1970, for drains' expiry.
    private let unixTime: @Sendable () -> Int

    /// - Parameters:
    ///   - seed: the tie-break randomness and jitter; random by default.
    ///   - dryRun: publishers only report what they would change.
    ///   - leadership: gives or withholds the permit to publish to `publishers` (always given
    ///     by default); `ungatedPublishers` get every decision.
    ///   - observers: told of every batch after its publications (`EvaluationObserver`).
    ///   - drains: the operator's drains, read at each decision.
    ///   - published: what DNS holds for each alias at start (the state directory's record), so
    ///     that the first decisions keep ties and count `max_changes` against it.
    ///   - unixTime: the wall clock drains expire by.
    public init(
        configuration: Configuration, poller: NodePoller, publishers: [any Publisher], logger: Logger,
        seed: UInt64 = UInt64.random(in: .min ... .max), dryRun: Bool = false,
        leadership: any Leadership = StandaloneLeadership(), ungatedPublishers: [any Publisher] = [],
        observers: [any EvaluationObserver] = [], drains: (any DrainSource)? = nil,
        published: [String: Set<NodeAddress>] = [:],
        unixTime: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    ) {
        self.drains = drains
        self.unixTime = unixTime
        self.observers = observers
        self.configuration = configuration
        let served = NumberedAliases(configuration.servedAliases)
        self.served = served
        self.reports = Array(repeating: nil, count: served.members.count)
        self.reportPolledAt = Array(repeating: nil, count: served.members.count)
        self.silentLastTime = Array(repeating: false, count: served.members.count)
        self.latest = Array(repeating: nil, count: served.aliases.count)
        // An alias the state directory still records but the configuration no longer serves
        // is not remembered.
        self.memories = served.aliases.map { alias in
            AliasMemory(selection: SelectionMemory(published: published[alias.name]))
        }
        self.poller = poller
        self.publishers = publishers
        self.ungatedPublishers = ungatedPublishers
        self.leadership = leadership
        self.logger = logger
        self.random = SeededRandomNumberGenerator(seed: seed)
        self.dryRun = dryRun
    }

    /// The latest evaluation of every alias evaluated so far, by alias name.
    public var evaluations: [String: AliasEvaluation] {
        var byName: [String: AliasEvaluation] = [:]
        for (number, evaluation) in latest.enumerated() {
            if let evaluation { byName[served.aliases[number].name] = evaluation }
        }
        return byName
    }

    /// The served alias names once every one has been evaluated (the first complete round after
    /// start); nil before. The embedded server holds its first round and NOTIFYs until then.
    public var servedAliasesOnceEachEvaluated: Set<String>? {
        latest.allSatisfy { $0 != nil } ? servedAliasNames : nil
    }

    /// The served aliases not evaluated yet since start (or since their definition changed).
    public var aliasesNotYetEvaluated: [String] {
        latest.indices.filter { latest[$0] == nil }.map { served.aliases[$0].name }.sorted()
    }

    /// Whether no address of the node answered at all (every one timed out).
    private static func wasSilent(_ report: NodeReport) -> Bool {
        !report.addresses.isEmpty
            && report.addresses.allSatisfy {
                if case .failure(.timeout) = $0.reply { return true }
                return false
            }
    }

    /// The served alias names.
    public var servedAliasNames: Set<String> { Set(served.aliasNumbers.keys) }

    /// The member addresses the poller resolved: a push finds its sender's node names there.
    public nonisolated var addressBook: NodeAddressBook { poller.addressBook }

    /// Evaluates every served alias now, as one batch, and returns the evaluations in alias
    /// name order (`lbd evaluate --once`).
    public func evaluateAll() async -> [AliasEvaluation] {
        let names = configuration.servedAliases.map(\.name)
        return await evaluate(names)
    }

    /// Takes a new configuration: aliases whose definition did not change keep their schedule
    /// and latest evaluation; new ones are due soon; removed ones are forgotten.
    ///
    /// Returns once no result decided under an older configuration can still be published:
    /// evaluations that were polling are discarded for the aliases that changed, and publications
    /// already under way are awaited. So nothing from the old configuration reaches DNS after the
    /// caller logs "configuration reloaded" (or withdraws a removed alias).
    public func reload(_ new: Configuration) async {
        install(new)
        generation += 1
        await publicationsFinished(before: generation)
    }

    private func install(_ new: Configuration) {
        let old = served
        configuration = new
        served = NumberedAliases(new.servedAliases)
        // The aliases' evaluations and memories, and the members' reports, renumbered.
        let oldAliasNumbers = served.aliases.map { old.aliasNumbers[$0.name] }
        latest = oldAliasNumbers.map { $0.flatMap { latest[$0] } }
        memories = oldAliasNumbers.map { $0.map { memories[$0] } ?? AliasMemory() }
        let oldNumbers = served.members.map { old.memberNumbers[$0].map(Int.init) }
        reports = oldNumbers.map { $0.flatMap { reports[$0] } }
        reportPolledAt = oldNumbers.map { $0.flatMap { reportPolledAt[$0] } }
        silentLastTime = oldNumbers.map { $0.map { silentLastTime[$0] } ?? false }
        for (number, alias) in served.aliases.enumerated() {
            guard let oldNumber = oldAliasNumbers[number], old.aliases[oldNumber] != alias else { continue }
            // A changed definition is evaluated again soon, as a new alias would be.
            latest[number] = nil
            schedule.forget(alias.name)
            memories[number].renumber(from: old.aliases[oldNumber].members, to: alias.members)
        }
        updateSchedule(now: ContinuousClock.now)
        poller.addressBook.keepOnly(Set(served.members))
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
            // Said every loop (at least every second): the heartbeat tells the engine is alive.
            await leadership.roundCompleted()
            // Wake for the next due alias, and at least every second to notice finished
            // batches and reloads.
            let wake = min(schedule.nextWake ?? .now + .seconds(1), .now + .seconds(1))
            try? await Task.sleep(until: wake, clock: .continuous)
        }
        while let batch = batches.values.first {
            await batch.value
        }
    }

    /// Polls `nodes` again now and decides again every served alias they are a member of, from
    /// their new reports and the other members' latest ones; publishes like a scheduled
    /// evaluation, without moving the aliases' schedule. A push from a node and a drain use it.
    ///
    /// - Parameter repoll: false decides from the reports already held (a drain changed, not
    ///   the node); members never polled yet are polled either way.
    /// - Returns: the evaluations, in alias name order.
    @discardableResult
    public func refresh(nodes: Set<String>, repoll: Bool = true) async -> [AliasEvaluation] {
        let names = Set(nodes.flatMap { served.aliases(ofMember: $0) }).sorted()
        guard !names.isEmpty else { return [] }
        return await evaluate(names, refreshing: repoll ? nodes : [])
    }

    /// The served aliases `node` is a member of, by name.
    public func aliases(ofMember node: String) -> [String] {
        served.aliases(ofMember: node).sorted()
    }

    /// The served members a drain of `node` names, spelled as the configuration spells them
    /// (compared as drains compare: without case, a trailing dot ignored).
    public func members(named node: String) -> Set<String> {
        let probe = Drain(node: node, by: "", reason: "", since: 0)
        return Set(served.members.filter { probe.covers(node: $0, alias: "") })
    }

    private func updateSchedule(now: ContinuousClock.Instant) {
        let intervals = Dictionary(
            configuration.servedAliases.map { ($0.name, Duration.seconds($0.parameters.pollingInterval)) },
            uniquingKeysWith: { first, _ in first })
        schedule.update(intervals: intervals, now: now, using: &random)
    }

    /// Polls the members of `names` once, decides and publishes each; returns the evaluations
    /// in name order.
    ///
    /// Each alias is decided as soon as its own members have answered or timed out, while the
    /// rest of the batch is still polling: an alias never waits for a slow node of another alias
    /// due at the same time.
    ///
    /// - Parameter refreshing: nil polls every member; otherwise only these nodes and the
    ///   members never polled yet are polled, the others' latest reports are used.
    private func evaluate(_ names: [String], scheduled: Bool = false, refreshing: Set<String>? = nil)
        async -> [AliasEvaluation]
    {
        let startedAt = Date()
        let pollStart = ContinuousClock.now
        let batch = AliasBatch(names, of: served, generation: generation)
        let layout = batch.layout
        // The members to poll, each once, and for each whether its last poll was silent.
        var polls = [Bool](repeating: false, count: layout.members.count)
        var silent: [Int32] = []
        var others: [Int32] = []
        for number in batch.numbers {
            for member in layout.membersOfAlias[number] where !polls[Int(member)] {
                if let refreshing, reportPolledAt[Int(member)] != nil,
                    !refreshing.contains(layout.members[Int(member)])
                {
                    continue
                }
                polls[Int(member)] = true
                // Nodes silent last time are polled first: their timeouts then overlap the
                // others' polls.
                if silentLastTime[Int(member)] {
                    silent.append(member)
                } else {
                    others.append(member)
                }
            }
        }
        // In number order, which is name order.
        let order = silent.sorted() + others.sorted()
        // How many of its members to be polled each alias still waits for.
        var waiting = batch.numbers.map { number in
            let members = layout.membersOfAlias[number]
            return members.indices.count { polls[Int(members[$0])] && !members[..<$0].contains(members[$0]) }
        }
        var decided = [Bool](repeating: false, count: batch.count)
        var decisions: [Task<[DecidedAlias], Never>] = []
        let waitingForNone = batch.positions.filter { waiting[$0] == 0 }
        if !waitingForNone.isEmpty {
            for position in waitingForNone { decided[position] = true }
            decisions.append(await decide(waitingForNone, of: batch, scheduled: scheduled))
        }
        let inbox = ReportInbox<(position: Int, report: NodeReport)>()
        async let pollEnd = Self.poll(
            order.map { layout.members[Int($0)] }, leading: silent.count, with: poller, into: inbox)
        // Aliases whose members have all answered, not decided yet.
        var ready: [Int] = []
        while let arrived = await inbox.next() {
            for (at, report) in arrived.reports {
                let member = order[at]
                keep(report, of: member, polledAt: pollStart, numberedIn: batch.generation)
                for alias in layout.aliasesOfMember[Int(member)] {
                    guard let position = batch.position(of: alias), !decided[position] else { continue }
                    waiting[position] -= 1
                    if waiting[position] == 0 { ready.append(position) }
                }
            }
            // Deciding waits until every poll has been started: on a busy machine the
            // decisions would otherwise take CPU from the polls still to send, and delay the
            // answers of every alias rather than some. Then it never waits for a slow node.
            if arrived.allPollsStarted, !ready.isEmpty {
                for position in ready { decided[position] = true }
                decisions.append(await decide(ready, of: batch, scheduled: scheduled))
                ready = []
            }
            // A large batch lets answers gather a moment, so that each wake-up takes many
            // and decides many aliases under one permit, rather than one answer at a time.
            if order.count > Self.gatheringBatchSize { try? await Task.sleep(for: Self.gatheringPause) }
        }
        let pollDuration = await pollEnd - pollStart
        // The last to answer, and any alias whose count a reload upset (its definition changed
        // while polling; `decide` discards it).
        let undecided = batch.positions.filter { !decided[$0] }
        if !undecided.isEmpty {
            decisions.append(await decide(undecided, of: batch, scheduled: scheduled))
        }
        var decidedInParts: [[DecidedAlias]] = []
        decidedInParts.reserveCapacity(decisions.count)
        for decision in decisions { decidedInParts.append(await decision.value) }
        let evaluations = Self.inBatchOrder(decidedInParts, count: batch.count)
        // Observers see what the engine keeps: an alias dropped meanwhile is not recorded again.
        if !observers.isEmpty {
            // Nearly always every one: the same array, not a copy.
            let kept =
                decidedInParts.allSatisfy { $0.allSatisfy(\.kept) }
                ? evaluations : Self.inBatchOrder(decidedInParts, count: batch.count, keptOnly: true)
            let round = EvaluationRound(
                evaluations: kept, startedAt: startedAt,
                pollDuration: pollDuration, duration: ContinuousClock.now - pollStart,
                nodesPolled: order.count,
                scheduled: scheduled)
            for observer in observers { await observer.observe(round) }
        }
        return evaluations
    }

    /// The evaluations of a batch's decisions (of `count` aliases) in batch order; with
    /// `keptOnly`, those the engine kept. Built in one array: at 20,000 aliases, each array of
    /// evaluations is a few megabytes of fresh memory, and sorted, filtered and mapped copies
    /// cost more than deciding did.
    private static func inBatchOrder(_ parts: [[DecidedAlias]], count: Int, keptOnly: Bool = false)
        -> [AliasEvaluation]
    {
        var slots = [(part: Int32, offset: Int32)](repeating: (-1, -1), count: count)
        for (part, decided) in parts.enumerated() {
            for offset in decided.indices where !keptOnly || decided[offset].kept {
                slots[decided[offset].index] = (Int32(part), Int32(offset))
            }
        }
        var evaluations: [AliasEvaluation] = []
        evaluations.reserveCapacity(count)
        for (part, offset) in slots where part >= 0 {
            evaluations.append(parts[Int(part)][Int(offset)].evaluation)
        }
        return evaluations
    }

    /// Keeps `report` as the newest of `member` (numbered as under `generation`), unless a
    /// refresh that polled the node after `polledAt` has a newer one. A member a reload
    /// renumbered is found by name; one no longer served is not kept.
    private func keep(
        _ report: NodeReport, of member: Int32, polledAt: ContinuousClock.Instant, numberedIn generation: Int
    ) {
        let number =
            generation == self.generation ? Int(member) : served.memberNumbers[report.node].map(Int.init)
        guard let number else { return }
        if reportPolledAt[number].map({ $0 < polledAt }) ?? true {
            silentLastTime[number] = Self.wasSilent(report)
            reports[number] = report
            reportPolledAt[number] = polledAt
        }
    }

    /// Polls `order`, the first `leading` nodes those silent last time, handing each report
    /// with its position in `order` to `inbox`, and closes it; returns when the last answer or
    /// timeout came.
    private static func poll(
        _ order: [String], leading: Int, with poller: NodePoller,
        into inbox: ReportInbox<(position: Int, report: NodeReport)>
    ) async -> ContinuousClock.Instant {
        await poller.poll(
            inOrder: order, leading: leading, delivering: { inbox.deliver(($0, $1)) },
            started: inbox.allPollsStarted)
        let end = ContinuousClock.now
        inbox.finish()
        return end
    }

    /// Above this many nodes, a batch decides the aliases whose members answered every
    /// `gatheringPause` rather than at each answer.
    private static let gatheringBatchSize = 256
    private static let gatheringPause: Duration = .milliseconds(5)

    /// An alias decided by a batch: its position in the batch, and whether the engine kept the
    /// evaluation as the alias's latest.
    private struct DecidedAlias: Sendable {
        var index: Int
        var evaluation: AliasEvaluation
        var kept: Bool
        /// The alias's decision count when it was decided (`AliasMemory.decisions`).
        var number: Int
    }

    /// Decides the aliases at `positions` of `batch` from the reports held, starts their
    /// publications, and returns a task that ends once they are published and recorded.
    ///
    /// One permit for these aliases, asked after their members were polled (a standby that took
    /// over meanwhile publishes them, one that lost the lease does not) and before deciding, so
    /// that nothing suspends between deciding and recording the publication under this
    /// configuration's generation (a reload waits for it).
    private func decide(_ positions: [Int], of batch: AliasBatch, scheduled: Bool) async
        -> Task<[DecidedAlias], Never>
    {
        let permit: PublishingPermit? = dryRun ? PublishingPermit() : await leadership.publishingPermit()
        let dryRun = self.dryRun
        let publishers = (permit == nil ? [] : self.publishers) + ungatedPublishers
        let standby = permit == nil && !self.publishers.isEmpty
        let partition = configuration.partition
        let activeDrains = drains?.activeDrains(at: unixTime()) ?? []
        // Each alias's evaluation now, or its publication under way; and the number of the
        // decision, to tell whether a later one was made meanwhile.
        var pending:
            [(
                index: Int, evaluation: AliasEvaluation?, publication: Task<AliasEvaluation, Never>?,
                number: Int
            )] = []
        pending.reserveCapacity(positions.count)
        let finished = Date()
        for index in positions {
            let alias = batch.alias(at: index)
            // A reload while polling: an alias removed or redefined meanwhile is not decided from
            // the old definition (its new one is scheduled afresh); unchanged aliases go on.
            guard let number = servedNumber(of: index, in: batch) else {
                logger.info(
                    "\(alias.name): evaluation discarded, the configuration was reloaded while polling",
                    metadata: ["alias": "\(alias.name)", "action": "discarded"])
                continue
            }
            // The newest report of each member: a refresh that polled it after this batch did wins.
            let numbers = served.membersOfAlias[number]
            var members: [NodeReport] = []
            var polledAt: [ContinuousClock.Instant?] = []
            members.reserveCapacity(numbers.count)
            polledAt.reserveCapacity(numbers.count)
            for (position, member) in numbers.enumerated() {
                members.append(
                    reports[Int(member)]
                        ?? NodeReport(
                            node: alias.members[position], addresses: [], resolutionFailure: "not polled"))
                polledAt.append(reportPolledAt[Int(member)])
            }
            // Only a report this alias has not counted yet moves a `rise`/`fall` streak.
            let new = memories[number].newReports(of: alias.members, polledAt: polledAt)
            let decision = Selection.decide(
                alias: alias.name, parameters: alias.parameters, members: members,
                memory: &memories[number].selection, drains: Self.drains(activeDrains, of: alias),
                polled: new,
                using: &random)
            memories[number].decisions += 1
            // Nothing to publish: no task (20,000 aliases made 20,000 tasks per cycle).
            guard let addresses = decision.publish, !publishers.isEmpty else {
                let evaluation = AliasEvaluation(
                    decision: decision, results: [], finishedAt: finished, standby: standby)
                pending.append((index, evaluation, nil, memories[number].decisions))
                continue
            }
            let publication = Publication(
                alias: decision.alias, addresses: addresses, ttl: decision.parameters.effectiveTTL,
                external: decision.parameters.external, fencingToken: permit?.fencingToken,
                fencingPartition: partition, decision: decision)
            // After the alias's previous publication, so that an UPDATE decided earlier (a batch
            // polling slow nodes) never lands after one decided later (a push's refresh).
            let previous = memories[number].publication
            // Detached: the publication needs nothing of the engine, and thousands of them per
            // cycle would otherwise each start by queueing on the engine's actor.
            let task = Task.detached {
                _ = await previous?.value
                let results = await Self.publish(publication, to: publishers, dryRun: dryRun)
                return AliasEvaluation(
                    decision: decision, results: results, finishedAt: Date(), standby: standby)
            }
            memories[number].publication = task
            pending.append((index, nil, task, memories[number].decisions))
        }
        let decidedUnder = generation
        publishing[decidedUnder, default: 0] += 1
        return Task {
            var decided: [DecidedAlias] = []
            decided.reserveCapacity(pending.count)
            for entry in pending {
                let evaluation: AliasEvaluation
                if let decidedAlready = entry.evaluation {
                    evaluation = decidedAlready
                } else if let publication = entry.publication {
                    evaluation = await publication.value
                } else {
                    continue
                }
                decided.append(
                    DecidedAlias(
                        index: entry.index, evaluation: evaluation, kept: false, number: entry.number))
            }
            self.publicationFinished(decidedUnder)
            self.record(&decided, of: batch, scheduled: scheduled)
            return decided
        }
    }

    /// Keeps each published evaluation as its alias's latest, unless a reload changed the alias
    /// or a refresh decided it again meanwhile; logs and marks what is kept.
    private func record(_ published: inout [DecidedAlias], of batch: AliasBatch, scheduled: Bool) {
        let now = ContinuousClock.now
        for entry in published.indices {
            let index = published[entry].index
            // A reload may have dropped or changed the alias while it was being published.
            guard let current = servedNumber(of: index, in: batch) else { continue }
            if scheduled { schedule.finished(served.aliases[current].name, at: now, using: &random) }
            // A refresh decided the alias again meanwhile: its evaluation is the newer one.
            guard memories[current].decisions == published[entry].number else { continue }
            latest[current] = published[entry].evaluation
            log(published[entry].evaluation)
            published[entry].kept = true
        }
    }

    /// The number the alias at `position` of `batch` has now, nil when a reload since the batch
    /// started removed it or changed its definition.
    private func servedNumber(of position: Int, in batch: AliasBatch) -> Int? {
        if batch.generation == generation { return batch.numbers[position] }
        let alias = batch.alias(at: position)
        guard let number = served.aliasNumbers[alias.name], served.aliases[number] == alias else {
            return nil
        }
        return number
    }

    /// The drains that cover members of `alias`, by member name (the first one given wins).
    private static func drains(_ active: [Drain], of alias: AliasConfiguration) -> [String: Drain] {
        guard !active.isEmpty else { return [:] }
        var covering: [String: Drain] = [:]
        for drain in active {
            for member in alias.members
            where covering[member] == nil && drain.covers(node: member, alias: alias.name) {
                covering[member] = drain
            }
        }
        return covering
    }

    /// Publishes to every publisher at once, so that a DNS server that is down or slow delays
    /// only its own results (the embedded zone does not wait for an UPDATE's retries). The
    /// results come back in publisher order.
    private static func publish(_ publication: Publication, to publishers: [any Publisher], dryRun: Bool)
        async -> [PublicationResult]
    {
        if publishers.count == 1 { return await publishers[0].publish(publication, dryRun: dryRun) }
        return await withTaskGroup(of: (Int, [PublicationResult]).self) { group in
            for (index, publisher) in publishers.enumerated() {
                group.addTask { (index, await publisher.publish(publication, dryRun: dryRun)) }
            }
            var results = [[PublicationResult]](repeating: [], count: publishers.count)
            for await (index, result) in group { results[index] = result }
            return results.flatMap { $0 }
        }
    }

    private func publicationFinished(_ generation: Int) {
        publishing[generation, default: 1] -= 1
        if publishing[generation] == 0 { publishing[generation] = nil }
        let oldest = publishing.keys.min() ?? .max
        let ready = reloadWaiters.filter { $0.generation <= oldest }
        reloadWaiters.removeAll { $0.generation <= oldest }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Returns when no publication decided under a generation older than `generation` is in
    /// flight.
    private func publicationsFinished(before generation: Int) async {
        guard let oldest = publishing.keys.min(), oldest < generation else { return }
        await withCheckedContinuation { continuation in
            reloadWaiters.append((generation, continuation))
        }
    }

    /// One line per alias, one debug line per member, a line for each member whose cause of
    /// being unusable appeared or changed, and one per failed publication (`EvaluationLog`).
    private func log(_ evaluation: AliasEvaluation) {
        // Aliases removed at a reload are forgotten once they outnumber the served ones.
        if loggedCauses.causes.count > served.aliases.count { loggedCauses.keepOnly(servedAliasNames) }
        for line in EvaluationLog.lines(for: evaluation, memory: &loggedCauses, minimumLevel: logger.logLevel)
        {
            logger.log(level: line.level, "\(line.message)", metadata: line.metadata)
        }
    }

    /// What `log` last said about each unusable member, so that it repeats a cause only on a change.
    private var loggedCauses = EvaluationLog.Memory()
}
