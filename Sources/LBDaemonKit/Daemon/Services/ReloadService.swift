import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reads the configuration again on SIGHUP, when the file changes, or when told to (tests and
/// embedders, through `Daemon.run(commands:)`), and hands it to the engine when `ReloadGuard`
/// accepts it. A configuration that does not load or is refused is logged and the running one
/// kept.
struct ReloadService: Service {
    let daemon: Daemon
    let engine: EvaluationEngine
    let embedded: EmbeddedZoneServer?
    let running: RunningConfiguration
    /// SIGHUP, trapped before the group starts so that an early one cannot kill lbd.
    let hangups: UnixSignalsSequence?
    let commands: AsyncStream<DaemonSignal>?
    let shutdown: GroupShutdown
    let logger: Logger
    /// Told of each reload's outcome (the metrics).
    var onReload: @Sendable (ReloadOutcome) -> Void = { _ in }

    func run() async {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await ConfigurationFileWatcher(path: daemon.path, interval: daemon.watchInterval).watch {
                        logger.notice("the configuration file changed: reloading")
                        await reload()
                    }
                }
                if let hangups {
                    group.addTask {
                        for await _ in hangups {
                            logger.notice("SIGHUP: reloading the configuration")
                            await reload()
                        }
                    }
                }
                if let commands {
                    group.addTask {
                        for await command in commands {
                            switch command {
                            case .reload:
                                logger.notice("reload asked: reloading the configuration")
                                await reload()
                            case .terminate:
                                await shutdown.trigger()
                            }
                        }
                    }
                }
                await group.waitForAll()
            }
        }
    }

    private func reload() async {
        let new: Configuration
        // Read before the file is parsed: a file changed in between is noticed again by the watch.
        let digest = ConfigurationDigest.ofFile(at: daemon.path)
        do {
            new = try daemon.load()
        } catch {
            logger.error(
                "the new configuration is not used, the running one is kept: \(error.description)",
                metadata: ["action": "reload-failed"])
            onReload(.failed)
            return
        }
        let (old, decision) = await running.replace(with: new, digest: digest)
        let removed: [String]
        switch decision {
        case .refuse(let refusal):
            logger.error(
                "\(daemon.path): the new configuration is not used, the running one is kept: \(refusal)",
                metadata: ["action": "reload-refused", "config": "\(daemon.path)"])
            onReload(.failed)
            return
        case .accept(let withdrawn):
            removed = withdrawn
        }
        let startOnly = StartOnlySettings.changed(from: old, to: new)
        if !startOnly.isEmpty {
            logger.warning(
                "\(startOnly.joined(separator: ", ")) changed: restart lbd to apply \(startOnly.count == 1 ? "it" : "them")",
                metadata: ["settings": .array(startOnly.map { .string($0) }), "action": "restart-needed"])
        }
        if !removed.isEmpty {
            let served = Set(old.servedAliases.map(\.name)).count
            logger.notice(
                "the reload withdraws \(removed.count) of the \(served) served aliases, within reload.max_withdrawn_share \(ReloadRefusal.percent(new.reload.maximumWithdrawnShare))",
                metadata: [
                    "withdrawn": .stringConvertible(removed.count), "served": .stringConvertible(served),
                    "action": "withdrawing",
                ])
        }
        // The metrics before the engine, so that an evaluation of a withdrawn alias still under
        // way is not counted.
        onReload(.applied(new))
        // The engine first: once it returns, no evaluation of the old configuration can publish,
        // so a withdrawn alias cannot be put back by a publication that was under way.
        await engine.reload(new)
        for alias in removed {
            embedded?.publisher.withdraw(alias: alias)
            logger.notice(
                "\(alias): no longer served", metadata: ["alias": "\(alias)", "action": "withdrawn"])
        }
        logger.notice(
            "configuration reloaded",
            metadata: [
                "aliases": .stringConvertible(new.servedAliases.count),
                "withdrawn": .stringConvertible(removed.count),
                "action": "reloaded",
            ])
    }
}

/// Lets a service end the whole group gracefully (a `terminate` command), once the group exists.
final class GroupShutdown: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func attach(_ serviceGroup: ServiceGroup) { group.withLock { $0 = serviceGroup } }

    func trigger() async {
        await group.withLock { $0 }?.triggerGracefulShutdown()
    }
}
