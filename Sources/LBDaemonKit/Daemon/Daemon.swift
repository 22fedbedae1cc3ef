import DNS
import Foundation
import LBCore
import Logging
import NIOCore
import SNMP
import ServiceLifecycle
import UnixSignals

/// What the service manager asks of a running lbd.
public enum DaemonSignal: Sendable {
    /// SIGHUP: read the configuration again.
    case reload
    /// SIGTERM or SIGINT: stop polling, finish the UPDATEs in flight, exit.
    case terminate
}

/// `lbd run`: one service group of the leadership, the embedded DNS server when configured, the
/// engine and the reloader (SIGHUP and file changes), with a graceful stop on SIGTERM and SIGINT.
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
    let watchInterval: Duration
    /// The state directory: the published state, read at start and written at each change.
    public let stateDirectory: String
    /// This instance's name (`--instance-name`, else the host name): what `ha.master` and the
    /// lease holder are compared with.
    public let instanceName: String

    /// `stateDirectory` defaults to `/var/lib/lbd`.
    public init(
        path: String, format: ConfigurationFormat? = nil, override: @escaping Override = { _ in },
        logger: Logger, seed: UInt64 = UInt64.random(in: .min ... .max),
        watchInterval: Duration = .seconds(1),
        stateDirectory: String = "/var/lib/lbd", instanceName: String = InstanceName.current()
    ) {
        self.stateDirectory = stateDirectory
        self.path = path
        self.format = format
        self.override = override
        self.logger = logger
        self.seed = seed
        self.watchInterval = watchInterval
        self.instanceName = instanceName
    }

    /// Reads the configuration with the overrides applied, logging its warnings.
    public func load() throws(ConfigurationError) -> Configuration {
        let loaded = try ConfigurationLoader.load(path: path, format: format)
        for warning in loaded.warnings { logger.warning("\(warning.description)") }
        var configuration = loaded.configuration
        override(&configuration)
        return configuration
    }

    /// Runs until `signals` says terminate, without trapping the process's signals or handing
    /// back its start-up pages (tests, and programs that embed lbd).
    public func run(signals: AsyncStream<DaemonSignal>) async throws {
        try await run(commands: signals, trapSignals: false)
    }

    /// Runs until SIGTERM or SIGINT (with `trapSignals`) or a `terminate` command; reloads on
    /// SIGHUP, on a `reload` command and when the file changes. With `trapSignals` the process is
    /// lbd's own, and it also hands back the pages only start-up and reloads read
    /// (`StartupPagesService`). Throws only when it cannot start:
    /// the configuration does not load, or a socket cannot be bound.
    public func run(commands: AsyncStream<DaemonSignal>? = nil, trapSignals: Bool = true) async throws {
        // First of all, so that a SIGHUP sent while starting cannot kill lbd (golbd died of it).
        let hangups = trapSignals ? await UnixSignalsSequence(trapping: .sighup) : nil
        let configuration: Configuration
        do {
            configuration = try load()
        } catch {
            logger.error("\(error.description)")
            throw error
        }
        if let problem = configuration.partitionProblem() {
            // A typo in --partition must not give an lbd that serves nothing.
            logger.error("\(path): \(problem.description)")
            throw problem
        }
        do {
            try ReloadGuard.checkStart(configuration)
        } catch {
            logger.error("\(path): \(error.description)")
            throw error
        }
        var httpSecurity: HTTPSecurity?
        if configuration.http.listen != nil {
            do {
                // A token or certificate that cannot be read must stop the start, not expose
                // an unguarded server or none at all.
                httpSecurity = try HTTPSecurity.load(configuration.http)
            } catch {
                logger.error("\(path): \(error.description)")
                throw error
            }
        }
        let cycles = CycleStatisticsRecorder()
        let stateStore = StateStore(directory: stateDirectory, logger: logger)
        // Before the DNS server: its `_explain` TXT answers read the decisions it keeps.
        let decisions = LastDecisionsRecorder(
            stateDirectory: stateDirectory, instance: instanceName, logger: logger)
        let metrics = LBDMetrics()
        metrics.serve(Set(configuration.servedAliases.map(\.name)))
        let embedded: EmbeddedZoneServer?
        if let settings = configuration.dns.embedded {
            do {
                // Loads the state before the server answers; holds the first round and NOTIFYs.
                embedded = try await EmbeddedZoneServer.start(
                    settings, logger: logger, state: stateStore, onNotify: { metrics.recordNotify($0) },
                    dynamicText: settings.explain ? ExplainTXT.dynamicText(decisions) : nil)
            } catch {
                logger.error("cannot start the DNS server on \(settings.listen): \(error)")
                throw error
            }
        } else {
            // No zone to serve, but the address sets last published by UPDATE are kept: the
            // first write must not replace them with this run's alone.
            stateStore.load()
            embedded = nil
        }
        let leadership: any Leadership
        do {
            leadership = try LeadershipFactory.make(configuration, instance: instanceName, logger: logger)
        } catch {
            await embedded?.stop()
            logger.error("\(path): ha: \(error)")
            throw error
        }
        // Never fatal: a store that cannot be opened leaves lbd running without history.
        let history: (any HistoryStore)? = HistoryStoreFactory.open(
            configuration.history, stateDirectory: stateDirectory, instance: instanceName, logger: logger)
        let historyRecorder = history.map { HistoryRecorder(store: $0, logger: logger) }
        // Before the first evaluation, so that a restart keeps its drained nodes out of DNS.
        let drains = DrainBook.loaded(stateDirectory: stateDirectory, logger: logger)
        let assembly: EngineAssembly
        do {
            assembly = try await EngineFactory.make(
                configuration: configuration, logger: logger, seed: seed, state: stateStore,
                embedded: embedded,
                embeddedRole: LeadershipFactory.embeddedRole(configuration), leadership: leadership,
                observers: [metrics.observer, decisions, cycles] + (historyRecorder.map { [$0] } ?? []),
                pollRecorder: metrics,
                published: stateStore.publishedAddresses(of: configuration.servedAliases.map(\.name)),
                drains: drains)
        } catch {
            await embedded?.stop()
            logger.error("cannot open the SNMP client's sockets: \(error)")
            throw error
        }
        let shutdown = GroupShutdown()
        let running = RunningConfiguration(configuration, digest: ConfigurationDigest.ofFile(at: path))
        var services: [any Service] = [LeadershipService(leadership: leadership)]
        if let embedded { services.append(EmbeddedDNSService(server: embedded)) }
        if let embedded, let peer = configuration.ha.peerDNS, configuration.ha.mode != .standalone {
            services.append(
                FollowService(
                    leadership: leadership, embedded: embedded, peer: peer, engine: assembly.engine,
                    logger: logger))
        }
        let started = Date()
        let engine = assembly.engine
        let drainWatcher = DrainWatcher(book: drains, engine: engine, logger: logger)
        let instanceName = self.instanceName
        let path = self.path
        let statusSources = DaemonSources.make(
            DaemonSources.Parts(
                running: running, engine: engine, leadership: leadership, instanceName: instanceName,
                configPath: path, started: started, state: stateStore, embedded: embedded, cycles: cycles,
                history: history))
        services.append(
            HTTPService(
                settings: configuration.http, heartbeatDirectory: configuration.ha.heartbeatDirectory,
                heartbeatFile: configuration.ha.heartbeatFile, logger: logger,
                sources: statusSources,
                routes: [
                    MetricsRoutes(metrics: metrics, leadership: leadership),
                    APIRoutes(sources: statusSources, maximumHistoryWindow: configuration.history.retention),
                    DashboardRoutes(sources: statusSources),
                ] + (configuration.http.drains ? [DrainRoutes(book: drains, watcher: drainWatcher)] : []),
                security: httpSecurity))
        if let historyRecorder {
            services.append(historyRecorder)
            // After the recorder, so that it stops first and its "stopped" event is written.
            services.append(
                ServiceEventsService(
                    recorder: historyRecorder, leadership: leadership, instance: instanceName))
        }
        services.append(
            EngineService(
                engine: assembly.engine, embedded: embedded,
                firstRoundDeadline: Self.firstRoundDeadline(configuration), logger: logger))
        services.append(DrainService(watcher: drainWatcher))
        // Each reload reads pages the steady state does not need: they are released again.
        let (reloads, reloaded) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // Only when the process is lbd's own (`lbd run`): the release acts on the whole process's
        // executable, and a program that embeds lbd (the tests) keeps its pages.
        if trapSignals {
            services.append(
                StartupPagesService(
                    engine: assembly.engine, deadline: Self.firstRoundDeadline(configuration),
                    reloads: reloads,
                    logger: logger))
        }
        if configuration.snmp.notifications.listen != nil {
            // After the engine, so that it stops first: no re-poll starts while the engine stops.
            services.append(
                NotificationService(
                    settings: configuration.snmp, engine: assembly.engine, metrics: metrics, logger: logger))
        }
        services.append(
            ReloadService(
                daemon: self, engine: assembly.engine, embedded: embedded,
                running: running, hangups: hangups, commands: commands,
                shutdown: shutdown, logger: logger,
                onReload: { outcome in
                    reloaded.yield()
                    metrics.recordReload(outcome)
                    if case .applied(let configuration) = outcome {
                        decisions.keepOnly(Set(configuration.servedAliases.map(\.name)))
                    }
                    historyRecorder?.record(
                        event: ServiceEventsService.reloadEvent(outcome, instance: instanceName, at: Date()))
                }))
        var groupLogger = logger
        // The group's own lines (services starting and stopping) are for debugging lbd.
        groupLogger.logLevel = max(logger.logLevel, .notice)
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map {
                // A service that returns or throws ends the group gracefully, never abruptly.
                ServiceGroupConfiguration.ServiceConfiguration(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: trapSignals ? [.sigterm, .sigint] : [], logger: groupLogger)
        // Publications in flight finish within their own timeouts; past this the group cancels.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(120)
        let group = ServiceGroup(configuration: groupConfiguration)
        shutdown.attach(group)
        logger.notice(
            "lbd started",
            metadata: [
                "aliases": "\(configuration.servedAliases.count)",
                "publishers": "\(assembly.gatedPublishers.count + (embedded == nil ? 0 : 1))",
                "config": "\(path)", "instance": "\(instanceName)", "ha": "\(configuration.ha.mode.rawValue)",
            ])
        do {
            try await group.run()
        } catch {
            logger.error("lbd stopped on an error: \(error)")
        }
        await stateStore.flush()
        await decisions.flush()
        await assembly.shutdown()
        logger.notice("lbd stopped")
    }

    /// How long the first round may take before it is ended with what was evaluated: two of the
    /// longest polling intervals, and half a minute for polls that time out.
    static func firstRoundDeadline(_ configuration: Configuration) -> Duration {
        let longest = configuration.servedAliases.map(\.parameters.pollingInterval).max() ?? 0
        return .seconds(2 * longest + 30)
    }
}

/// The configuration in force, replaced at each successful reload, with its file's digest.
actor RunningConfiguration {
    private var configuration: Configuration
    private var digest: String

    init(_ configuration: Configuration, digest: String) {
        self.configuration = configuration
        self.digest = digest
    }

    /// The configuration in force and the SHA-256 of the file it was read from.
    var current: (configuration: Configuration, digest: String) { (configuration, digest) }

    /// Installs `new` when `ReloadGuard` accepts it in place of the one in force, in one step so
    /// that two reloads cannot interleave; returns the one in force before, and the decision.
    func replace(with new: Configuration, digest newDigest: String) -> (
        old: Configuration, decision: ReloadDecision
    ) {
        let old = configuration
        let decision = ReloadGuard.check(old: old, new: new)
        if case .accept = decision {
            configuration = new
            digest = newDigest
        }
        return (old, decision)
    }
}
