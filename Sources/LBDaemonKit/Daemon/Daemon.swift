import DNS
import Foundation
import LBCore
import Logging
import NIOCore
import SNMP

/// What the service manager asks of a running lbd.
public enum DaemonSignal: Sendable {
    /// SIGHUP: read the configuration again.
    case reload
    /// SIGTERM or SIGINT: stop polling, finish the UPDATEs in flight, exit.
    case terminate
}

/// `lbd run`: the engine, the embedded DNS server when configured, reloads on SIGHUP and when the
/// file changes, and a clean stop.
///
/// A configuration that fails to load at a reload is reported and the running one kept. Aliases
/// that did not change keep their state; SNMP, DNS UPDATE and embedded server settings are read
/// at start only (a reload that changes them says a restart is needed).
public final class Daemon: Sendable {
    /// Changes applied to every configuration read (command-line overrides).
    public typealias Override = @Sendable (inout Configuration) -> Void

    public let path: String
    private let format: ConfigurationFormat?
    private let override: Override
    private let logger: Logger
    private let seed: UInt64
    private let watchInterval: Duration
    /// The state directory: the published state, read at start and written at each change.
    public let stateDirectory: String

    /// `stateDirectory` defaults to `/var/lib/lbd`.
    public init(
        path: String, format: ConfigurationFormat? = nil, override: @escaping Override = { _ in },
        logger: Logger, seed: UInt64 = UInt64.random(in: .min ... .max),
        watchInterval: Duration = .seconds(1),
        stateDirectory: String = "/var/lib/lbd"
    ) {
        self.stateDirectory = stateDirectory
        self.path = path
        self.format = format
        self.override = override
        self.logger = logger
        self.seed = seed
        self.watchInterval = watchInterval
    }

    /// Reads the configuration with the overrides applied, logging its warnings.
    public func load() throws(ConfigurationError) -> Configuration {
        let loaded = try ConfigurationLoader.load(path: path, format: format)
        for warning in loaded.warnings { logger.warning("\(warning.description)") }
        var configuration = loaded.configuration
        override(&configuration)
        return configuration
    }

    /// Runs until `signals` says terminate (or ends). Throws only when it cannot start: the
    /// configuration does not load, or a socket cannot be bound.
    public func run(signals: AsyncStream<DaemonSignal>) async throws {
        let configuration: Configuration
        do {
            configuration = try load()
        } catch {
            logger.error("\(error.description)")
            throw error
        }
        do {
            try ReloadGuard.checkStart(configuration)
        } catch {
            logger.error("\(path): \(error.description)")
            throw error
        }
        // The same words as `lbd check-config`: settings read but not acted on yet (HA, HTTP).
        for warning in configuration.notImplementedWarnings { logger.warning("\(warning)") }
        let client = try await SNMPClient.start(maximumInFlight: configuration.snmp.concurrency)
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: configuration.snmp.port),
            probe: SNMPNodeProbe(client: client, settings: configuration.snmp),
            concurrency: configuration.snmp.concurrency)
        let stateStore = StateStore(directory: stateDirectory, logger: logger)
        var publishers: [any Publisher] = PublisherSet.make(for: configuration, logger: logger).map {
            StateRecordingPublisher(wrapping: $0, state: stateStore)
        }
        let embedded: EmbeddedZoneServer?
        if let settings = configuration.dns.embedded {
            do {
                // Loads the state before the server answers; holds the first round and NOTIFYs.
                let server = try await EmbeddedZoneServer.start(settings, logger: logger, state: stateStore)
                publishers.append(server.publisher)
                embedded = server
            } catch {
                await client.shutdown()
                logger.error("cannot start the DNS server on \(settings.listen): \(error)")
                throw error
            }
        } else {
            // No zone to serve, but the address sets last published by UPDATE are kept: the
            // first write must not replace them with this run's alone.
            stateStore.load()
            embedded = nil
        }
        let engine = EvaluationEngine(
            configuration: configuration, poller: poller, publishers: publishers, logger: logger, seed: seed)
        logger.notice(
            "lbd started",
            metadata: [
                "aliases": "\(configuration.servedAliases.count)",
                "publishers": "\(publishers.count)", "config": "\(path)",
            ])
        let state = RunningConfiguration(configuration)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await engine.run() }
            if let embedded {
                group.addTask {
                    // The first complete round ends the embedded server's hold (a restart never
                    // shows a zone built one alias at a time). An alias that cannot finish an
                    // evaluation (redefined at every reload of a storm, say) must not hold every
                    // NOTIFY for ever: past the deadline the round ends with what was evaluated,
                    // and the others keep the state that was loaded.
                    let allowed = Self.firstRoundDeadline(configuration)
                    let deadline = ContinuousClock.now + allowed
                    while !Task.isCancelled {
                        if let served = await engine.servedAliasesOnceEachEvaluated {
                            embedded.completeFirstRound(served: served, logger: self.logger)
                            return
                        }
                        if ContinuousClock.now >= deadline {
                            let pending = await engine.aliasesNotYetEvaluated
                            self.logger.warning(
                                "first round not complete after \(allowed): ending it; \(pending.count) alias(es) not evaluated yet keep their published state: \(pending.prefix(10).joined(separator: " "))",
                                metadata: [
                                    "action": "first-round-deadline",
                                    "pending": .stringConvertible(pending.count),
                                ])
                            embedded.completeFirstRound(
                                served: await engine.servedAliasNames, logger: self.logger)
                            return
                        }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
            group.addTask {
                await ConfigurationFileWatcher(path: self.path, interval: self.watchInterval).watch {
                    self.logger.notice("the configuration file changed: reloading")
                    await self.reload(engine: engine, embedded: embedded, state: state)
                }
            }
            for await signal in signals {
                if case .terminate = signal { break }
                logger.notice("SIGHUP: reloading the configuration")
                await reload(engine: engine, embedded: embedded, state: state)
            }
            // Terminate (or no more signals): the engine lets evaluations in flight finish.
            logger.notice("stopping: finishing the evaluations in flight")
            group.cancelAll()
        }
        await stateStore.flush()
        await embedded?.stop()
        await client.shutdown()
        logger.notice("lbd stopped")
    }

    /// How long the first round may take before it is ended with what was evaluated: two of the
    /// longest polling intervals, and half a minute for polls that time out.
    static func firstRoundDeadline(_ configuration: Configuration) -> Duration {
        let longest = configuration.servedAliases.map(\.parameters.pollingInterval).max() ?? 0
        return .seconds(2 * longest + 30)
    }

    private func reload(engine: EvaluationEngine, embedded: EmbeddedZoneServer?, state: RunningConfiguration)
        async
    {
        let new: Configuration
        do {
            new = try load()
        } catch {
            logger.error(
                "the new configuration is not used, the running one is kept: \(error.description)",
                metadata: ["action": "reload-failed"])
            return
        }
        let (old, decision) = await state.replace(with: new)
        let removed: [String]
        switch decision {
        case .refuse(let refusal):
            logger.error(
                "\(path): the new configuration is not used, the running one is kept: \(refusal)",
                metadata: ["action": "reload-refused", "config": "\(path)"])
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

/// The configuration in force, replaced at each successful reload.
actor RunningConfiguration {
    private var current: Configuration

    init(_ configuration: Configuration) { current = configuration }

    /// Installs `new` when `ReloadGuard` accepts it in place of the one in force, in one step so
    /// that two reloads cannot interleave; returns the one in force before, and the decision.
    func replace(with new: Configuration) -> (old: Configuration, decision: ReloadDecision) {
        let old = current
        let decision = ReloadGuard.check(old: old, new: new)
        if case .accept = decision { current = new }
        return (old, decision)
    }
}
