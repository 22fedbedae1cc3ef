import Logging
import NIOCore
import ServiceLifecycle

/// `lbd demo` once its fleet and DNS server are up: the engine from `EngineFactory`, the
/// simulation's drift and the DNS server, as one service group that stops on SIGTERM, SIGINT or
/// after `duration`.
public enum DemoRun {
    public static func run(
        fleet: DemoFleet, embedded: EmbeddedZoneServer, interval: Int, duration: Int?, seed: UInt64,
        logger: Logger
    ) async throws {
        let configuration = DemoConfiguration.configuration(snmpPort: fleet.port, interval: interval)
        let addresses = fleet.addresses
        let assembly = try await EngineFactory.make(
            configuration: configuration, logger: logger, seed: seed, updates: false, embedded: embedded,
            resolve: { node, port in
                guard let address = addresses[node] else { throw NotADemoNode(node: node) }
                return [try SocketAddress(ipAddress: address, port: port)]
            })
        var services: [any Service] = [
            EmbeddedDNSService(server: embedded),
            DriftService(fleet: fleet, interval: interval, logger: logger),
            EngineService(engine: assembly.engine, embedded: nil, firstRoundDeadline: .zero, logger: logger),
        ]
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
