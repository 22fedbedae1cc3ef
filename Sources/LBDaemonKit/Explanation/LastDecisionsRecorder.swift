import Foundation
import Logging
import NIOPosix
import Synchronization

/// Keeps the latest `AliasEvaluation` of every alias: for the embedded server's `_explain` TXT
/// answers (read synchronously, at query time) and, with a state directory, in
/// `decisions.json`, which `lbd explain` reads when no lbd answers.
///
/// `observe` only records and returns: the file is written from a task of its own, on NIO's
/// blocking-I/O pool, at most once per `interval` whatever the number of rounds, so a slow or
/// full disk never delays the engine. A failed write is logged once (until a write succeeds
/// again) and tried again at the next round. Invariant: a write never replaces the file with
/// older decisions than it holds.
public final class LastDecisionsRecorder: EvaluationObserver, Sendable {
    private struct Memory {
        var latest: [String: AliasEvaluation] = [:]
        /// The aliases served since the last reload; nil before one (every alias is recorded).
        var served: Set<String>?
        /// Counts the rounds recorded; `written` is the count the file holds (or failed to).
        var generation = 0
        var written = 0
        var writing = false
        var failure: String?
        var writes = 0
    }

    /// The file written; nil without a state directory (the decisions are kept in memory only).
    public let path: String?
    private let instance: String
    private let interval: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let memory = Mutex(Memory())
    /// Held on the I/O thread across one write, so that two writes never land out of order.
    private let fileLock = Mutex(())

    /// - Parameters:
    ///   - stateDirectory: where `decisions.json` is written; nil keeps the decisions in memory.
    ///   - instance: this instance's name, written in the file.
    ///   - interval: the least time between two writes.
    ///   - now: the wall clock the file's `written_at` comes from.
    public init(
        stateDirectory: String?, instance: String, logger: Logger, interval: Duration = .seconds(5),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.path = stateDirectory.map { DecisionsFile.path(inStateDirectory: $0) }
        self.instance = instance
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    public func observe(_ round: EvaluationRound) async {
        guard !round.evaluations.isEmpty else { return }
        change { memory in
            for evaluation in round.evaluations {
                // An evaluation of an alias the reload withdrew, still under way when it was told.
                if let served = memory.served, !served.contains(evaluation.decision.alias) { continue }
                memory.latest[evaluation.decision.alias] = evaluation
            }
        }
    }

    /// Forgets the aliases not in `served` (removed at a reload), and ignores them from now on,
    /// so that `lbd explain` and the `_explain` TXT no longer show a decision lbd stopped making,
    /// even one that was under way during the reload; the file follows.
    public func keepOnly(_ served: Set<String>) {
        let removed = memory.withLock { memory in
            memory.served = served
            return memory.latest.keys.contains { !served.contains($0) }
        }
        guard removed else { return }
        change { memory in memory.latest = memory.latest.filter { served.contains($0.key) } }
    }

    /// Applies `body` and has the file written, from a task of its own, unless a write is
    /// already under way (it goes on until the file holds the newest generation).
    private func change(_ body: (inout Memory) -> Void) {
        let start = memory.withLock { memory in
            body(&memory)
            memory.generation += 1
            guard path != nil, !memory.writing else { return false }
            memory.writing = true
            return true
        }
        guard start else { return }
        // Not a child task: the engine must not wait for the disk, and a write must finish even
        // when the round's task is cancelled.
        Task.detached(priority: .utility) { await self.writeWhileBehind() }
    }

    /// The latest evaluation of `alias` (lower-case, no trailing dot); nil when it has none.
    public func latest(_ alias: String) -> AliasEvaluation? {
        memory.withLock { $0.latest[alias] }
    }

    /// The latest evaluation of every alias recorded.
    public var evaluations: [String: AliasEvaluation] {
        memory.withLock { $0.latest }
    }

    /// How many writes succeeded.
    public var writes: Int {
        memory.withLock { $0.writes }
    }

    /// Writes the newest decisions now when the file does not hold them yet (at shutdown).
    public func flush() async {
        await write()
    }

    /// Sleeps `interval`, so that a burst of rounds costs one write, then writes, until the
    /// file holds every round recorded.
    private func writeWhileBehind() async {
        while true {
            try? await Task.sleep(for: interval)
            let done = memory.withLock { memory -> Bool in
                guard memory.generation == memory.written else { return false }
                memory.writing = false
                return true
            }
            if done { return }
            await write()
        }
    }

    private func write() async {
        guard let path else { return }
        let (evaluations, generation) = memory.withLock { ($0.latest, $0.generation) }
        let instance = self.instance
        let writtenAt = now()
        let outcome: Result<Bool, DecisionsFileError>
        do {
            outcome = try await NIOThreadPool.singleton.runIfActive {
                self.fileLock.withLock { _ -> Result<Bool, DecisionsFileError> in
                    guard generation > self.memory.withLock({ $0.written }) else { return .success(false) }
                    let result = Result { () throws(DecisionsFileError) in
                        try DecisionsFile.write(
                            evaluations, instance: instance, writtenAt: writtenAt, to: path)
                        return true
                    }
                    // A failed write counts as done too: it is tried again at the next round.
                    self.memory.withLock { $0.written = max($0.written, generation) }
                    return result
                }
            }
        } catch {
            outcome = .failure(.unwritable(path: path, reason: "the I/O thread pool is stopped"))
        }
        report(outcome)
    }

    private func report(_ outcome: Result<Bool, DecisionsFileError>) {
        switch outcome {
        case .success(let wrote):
            guard wrote else { return }
            let recovered = memory.withLock { memory -> Bool in
                memory.writes += 1
                defer { memory.failure = nil }
                return memory.failure != nil
            }
            if recovered, let path {
                logger.notice(
                    "the decisions file \(path) is written again", metadata: ["action": "decisions-written"])
            }
        case .failure(let error):
            let repeated = memory.withLock { memory -> Bool in
                defer { memory.failure = error.description }
                return memory.failure == error.description
            }
            let message: Logger.Message = "\(error.description); `lbd explain` will read older decisions"
            if repeated {
                logger.debug(message, metadata: ["action": "decisions-write-failed"])
            } else {
                logger.error(message, metadata: ["action": "decisions-write-failed"])
            }
        }
    }
}
