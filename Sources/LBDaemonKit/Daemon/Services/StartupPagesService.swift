import Logging
import ServiceLifecycle

/// Once every served alias has been evaluated (or the first round's deadline has passed), hands
/// back the pages of the executable and libraries that only start-up read
/// (``StartupPageRelease``), then waits for the shutdown: a service that returned would end the
/// group.
struct StartupPagesService: Service {
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
            release()
            try? await gracefulShutdown()
        }
    }

    private func release() {
        do {
            let outcome = try StartupPageRelease.run()
            logger.debug(
                "released the executable's start-up pages",
                metadata: [
                    "mappings": .stringConvertible(outcome.regions.count),
                    "rss_kib": .stringConvertible(outcome.residentKiB),
                ])
        } catch {
            logger.debug("\(error.description)")
        }
    }
}
