import Logging
import ServiceLifecycle

/// The evaluation engine as a service. At graceful shutdown the engine stops scheduling and
/// lets the evaluations in flight finish their publications before `run()` returns, so that the
/// services after it (the DNS server, the leadership) stop only once nothing is being published.
///
/// With an embedded server it also ends the server's first-round hold: a restart never shows a
/// zone built one alias at a time.
struct EngineService: Service {
    let engine: EvaluationEngine
    let embedded: EmbeddedZoneServer?
    let firstRoundDeadline: Duration
    let logger: Logger

    func run() async {
        await withGracefulShutdownHandler {
            await runUntilShutdown()
        } onGracefulShutdown: {
            logger.notice("stopping: finishing the evaluations in flight")
        }
    }

    private func runUntilShutdown() async {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await engine.run() }
                if let embedded {
                    group.addTask { await endFirstRound(of: embedded) }
                }
            }
        }
    }

    /// Waits until every served alias was evaluated once, then ends the hold. An alias that
    /// cannot finish an evaluation (redefined at every reload of a storm, say) must not hold
    /// every NOTIFY for ever: past the deadline the round ends with what was evaluated, and the
    /// others keep the state that was loaded.
    private func endFirstRound(of embedded: EmbeddedZoneServer) async {
        let deadline = ContinuousClock.now + firstRoundDeadline
        while !Task.isCancelled {
            if let served = await engine.servedAliasesOnceEachEvaluated {
                embedded.completeFirstRound(served: served, logger: logger)
                return
            }
            if ContinuousClock.now >= deadline {
                let pending = await engine.aliasesNotYetEvaluated
                logger.warning(
                    "first round not complete after \(firstRoundDeadline): ending it; \(pending.count) alias(es) not evaluated yet keep their published state: \(pending.prefix(10).joined(separator: " "))",
                    metadata: [
                        "action": "first-round-deadline", "pending": .stringConvertible(pending.count),
                    ])
                embedded.completeFirstRound(served: await engine.servedAliasNames, logger: logger)
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
