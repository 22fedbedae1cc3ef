import Logging
import ServiceLifecycle

/// Once every served alias has been evaluated (or the first round's deadline has passed), hands
/// back the pages of the executable and libraries that only start-up read
/// (``StartupPageRelease``); again after each reload, whose parsing and first evaluations read
/// pages the steady state does not need (2026-12-06, 200 nodes: VmRSS about 28 MB after two
/// reloads without it, docs/performance.md "lbd memory"). Then waits for the shutdown: a
/// service that returned would end the group.
///
/// The release is done in ``passes`` passes ``pause`` apart. lbd's threads run on while a pass
/// drops the pages, and each fault in between keeps its page's whole folio (up to some 256 KB of
/// a file just written) in the page cache, where the next faults map it back around them; the
/// later passes drop those too, once they are no longer mapped. 2026-12-05 at 200 nodes: VmRSS
/// 22.2 to 22.3 MB with three passes, 24.3 to 25.4 MB with one (docs/performance.md, "lbd
/// memory").
struct StartupPagesService: Service {
    /// How many times the release runs.
    static let passes = 3

    /// Whether every served alias has been evaluated since start or since the last reload.
    let allEvaluated: @Sendable () async -> Bool
    /// How long the first round, and a reload's evaluations, may take before releasing anyway.
    let deadline: Duration
    /// One element per reload, applied or refused (both parse a file); a storm of reloads
    /// is released after once.
    let reloads: AsyncStream<Void>
    let logger: Logger
    /// The pause between two passes.
    var pause = Duration.milliseconds(100)
    /// How long after a reload to wait before asking whether every alias is evaluated: the
    /// engine takes the new configuration after the reload is announced.
    var settle = Duration.seconds(1)
    var release: @Sendable () throws(StartupPageRelease.Failure) -> StartupPageRelease.Outcome = {
        try StartupPageRelease.run()
    }

    init(engine: EvaluationEngine, deadline: Duration, reloads: AsyncStream<Void>, logger: Logger) {
        self.init(
            allEvaluated: { await engine.servedAliasesOnceEachEvaluated != nil }, deadline: deadline,
            reloads: reloads, logger: logger)
    }

    init(
        allEvaluated: @escaping @Sendable () async -> Bool, deadline: Duration, reloads: AsyncStream<Void>,
        logger: Logger
    ) {
        self.allEvaluated = allEvaluated
        self.deadline = deadline
        self.reloads = reloads
        self.logger = logger
    }

    func run() async {
        await cancelWhenGracefulShutdown {
            guard await releaseOnceEvaluated(after: "start") else { return }
            for await _ in reloads {
                try? await Task.sleep(for: settle)
                guard !Task.isCancelled, await releaseOnceEvaluated(after: "reload") else { return }
            }
            try? await gracefulShutdown()
        }
    }

    /// Waits until every served alias is evaluated (at most `deadline`), then releases in
    /// `passes` passes; false when cancelled meanwhile.
    private func releaseOnceEvaluated(after cause: String) async -> Bool {
        let end = ContinuousClock.now + deadline
        while !Task.isCancelled, ContinuousClock.now < end, await !allEvaluated() {
            try? await Task.sleep(for: .milliseconds(200))
        }
        guard !Task.isCancelled else { return false }
        releasePass(logged: cause)
        for _ in 1..<Self.passes {
            try? await Task.sleep(for: pause)
            guard !Task.isCancelled else { return false }
            releasePass(logged: nil)
        }
        return true
    }

    /// One pass; only the first of a release is logged, the later ones find little left to drop.
    private func releasePass(logged cause: String?) {
        do {
            let outcome = try release()
            guard let cause else { return }
            logger.debug(
                "released the executable's start-up pages",
                metadata: [
                    "after": .string(cause),
                    "mappings": .stringConvertible(outcome.regions.count),
                    "rss_kib": .stringConvertible(outcome.residentKiB),
                    "page_cache_dropped": .stringConvertible(outcome.evictedFromPageCache),
                ])
        } catch {
            guard cause != nil else { return }
            logger.debug("\(error.description)")
        }
    }
}
