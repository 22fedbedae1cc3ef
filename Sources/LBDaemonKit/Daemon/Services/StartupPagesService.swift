import Logging
import ServiceLifecycle

/// Once every served alias has been evaluated (or the first round's deadline has passed), hands
/// back the pages of the executable and libraries that only start-up read
/// (``StartupPageRelease``), then waits for the shutdown: a service that returned would end the
/// group.
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
    /// The pause between two passes.
    static let pause = Duration.milliseconds(100)

    let engine: EvaluationEngine
    let deadline: Duration
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            let end = ContinuousClock.now + deadline
            while !Task.isCancelled, ContinuousClock.now < end,
                await engine.servedAliasesOnceEachEvaluated == nil
            {
                try? await Task.sleep(for: .milliseconds(200))
            }
            guard !Task.isCancelled else { return }
            release(logged: true)
            for _ in 1..<Self.passes {
                try? await Task.sleep(for: Self.pause)
                guard !Task.isCancelled else { return }
                release(logged: false)
            }
            try? await gracefulShutdown()
        }
    }

    /// One pass; only the first is logged, the later ones find little left to drop.
    private func release(logged: Bool) {
        do {
            let outcome = try StartupPageRelease.run()
            guard logged else { return }
            logger.debug(
                "released the executable's start-up pages",
                metadata: [
                    "mappings": .stringConvertible(outcome.regions.count),
                    "rss_kib": .stringConvertible(outcome.residentKiB),
                    "page_cache_dropped": .stringConvertible(outcome.evictedFromPageCache),
                ])
        } catch {
            guard logged else { return }
            logger.debug("\(error.description)")
        }
    }
}
