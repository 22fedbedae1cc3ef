import Foundation
import LBCore
import Logging
import NIOCore
import ServiceLifecycle

/// `lbd demo` once its fleet and DNS server are up: the engine from `EngineFactory`, the
/// simulation's drift and the DNS server, as one service group that stops on SIGTERM, SIGINT or
/// after `duration`.
public enum DemoRun {
    /// - Parameters:
    ///   - http: where the dashboards, the API and `/metrics` are served (nil: not at all); the
    ///     history behind them is kept in memory for a day.
    ///   - onListening: told the HTTP port once the server accepts connections.
    public static func run(
        fleet: DemoFleet, embedded: EmbeddedZoneServer, interval: Int, duration: Int?, seed: UInt64,
        logger: Logger, http: ServerAddress? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let configuration = DemoConfiguration.configuration(snmpPort: fleet.port, interval: interval)
        let addresses = fleet.addresses
        let metrics = LBDMetrics()
        metrics.serve(Set(configuration.servedAliases.map(\.name)))
        let history = InMemoryHistoryStore()
        let recorder = HistoryRecorder(store: history, logger: logger)
        let cycles = CycleStatisticsRecorder()
        let assembly = try await EngineFactory.make(
            configuration: configuration, logger: logger, seed: seed, updates: false, embedded: embedded,
            resolve: { node, port in
                guard let address = addresses[node] else { throw NotADemoNode(node: node) }
                return [try SocketAddress(ipAddress: address, port: port)]
            }, observers: [metrics.observer, recorder, cycles], pollRecorder: metrics)
        var services: [any Service] = [
            EmbeddedDNSService(server: embedded),
            DriftService(fleet: fleet, interval: interval, logger: logger),
            recorder,
            EngineService(engine: assembly.engine, embedded: nil, firstRoundDeadline: .zero, logger: logger),
        ]
        if let http {
            let sources = statusSources(
                configuration: configuration, engine: assembly.engine, embedded: embedded, cycles: cycles,
                history: history)
            services.append(
                HTTPService(
                    settings: HTTPSettings(listen: http), heartbeatDirectory: "/nonexistent",
                    heartbeatFile: "heartbeat", logger: logger, sources: sources,
                    routes: [
                        MetricsRoutes(metrics: metrics),
                        APIRoutes(sources: sources, maximumHistoryWindow: 86_400),
                        DashboardRoutes(sources: sources),
                    ], onListening: onListening))
        }
        if let duration { services.append(DurationService(duration: .seconds(duration))) }
        var groupLogger = logger
        groupLogger.logLevel = max(logger.logLevel, .notice)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: groupLogger))
        do {
            try await group.run()
        } catch {
            logger.error("the demo stopped on an error: \(error)")
        }
        await assembly.shutdown()
    }

    /// What the demo's HTTP server reads: the engine, the fixed configuration, the embedded zone
    /// and the history in memory.
    private static func statusSources(
        configuration: Configuration, engine: EvaluationEngine, embedded: EmbeddedZoneServer,
        cycles: CycleStatisticsRecorder, history: any HistoryStore
    ) -> DaemonStatusSources {
        let started = Date()
        let leadership = StandaloneLeadership()
        return DaemonStatusSources(
            evaluations: { await engine.evaluations },
            configuration: { configuration },
            instance: {
                InstanceStatus(
                    version: ProductVersion.current, instance: "demo", partition: nil,
                    leadership: await leadership.status(), configPath: "(lbd demo: built in)",
                    configDigest: "", aliasCount: configuration.servedAliases.count,
                    lastRound: InstanceStatus.RoundSummary(await engine.evaluations.values),
                    startedAt: started,
                    cycles: await cycles.statistics)
            },
            ready: { await engine.servedAliasesOnceEachEvaluated != nil },
            publishedRecords: { DaemonSources.records(of: $0, state: nil, embedded: embedded) },
            history: history,
            notReadyReason: {
                let pending = await engine.aliasesNotYetEvaluated
                return pending.isEmpty ? nil : "the first round is not complete"
            })
    }
}

/// The simulated loads drifting, every interval, until the demo stops.
private struct DriftService: Service {
    let fleet: DemoFleet
    let interval: Int
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            await fleet.drift(every: .seconds(interval)) { change in
                logger.notice("simulation: \(change)")
            }
        }
    }
}

/// Ends the group after a while (`lbd demo --duration`).
private struct DurationService: Service {
    let duration: Duration

    func run() async {
        // Returning ends the group gracefully; an earlier shutdown cancels the sleep.
        await cancelWhenGracefulShutdown { try? await Task.sleep(for: duration) }
    }
}

private struct NotADemoNode: Error, CustomStringConvertible {
    var node: String
    var description: String { "\(node) is not a demo node" }
}
