import ArgumentParser
import LBDaemonKit
import Logging
import NIOCore
import SNMP

#if canImport(Glibc)
    import Glibc
#endif

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run lbd on a simulated fleet, with nothing else installed, and answer DNS for it.",
        discussion: """
            Six simulated nodes (SNMP agents on 127.0.0.11 to 127.0.0.16) report loads that drift; \
            now and then one fails its checks or stops answering. lbd polls them, picks the least \
            loaded for three aliases in the zone demo.lb, and serves them from its own DNS server. \
            Ctrl-C stops it.
            """
    )

    @Option(help: "The port of the DNS server on 127.0.0.1.")
    var dnsPort = 5353

    @Option(help: "Seconds between two evaluations of an alias.")
    var interval = 5

    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).")
    var duration: Int?

    @Option(help: "Seed of the simulation and of the tie-breaks (default: random).")
    var seed: UInt64?

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (1...65_535).contains(dnsPort) else {
            throw ValidationError("--dns-port must be from 1 to 65535")
        }
        guard (1...3600).contains(interval) else {
            throw ValidationError("--interval must be from 1 to 3600")
        }
    }

    func run() async throws {
        let logger = log.bootstrap(defaultLevel: .notice)
        let seed = self.seed ?? UInt64.random(in: .min ... .max)
        let fleet: DemoFleet
        do {
            fleet = try await DemoFleet.start(count: 6, domain: DemoConfiguration.zone, seed: seed)
        } catch {
            printToStandardError("cannot start the simulated nodes on 127.0.0.11-127.0.0.16: \(error)")
            throw ExitCode(1)
        }
        let zone = DemoConfiguration.zone
        let embedded: EmbeddedZoneServer
        do {
            embedded = try await EmbeddedZoneServer.start(
                EmbeddedDNSSettings(
                    listen: ServerAddress(host: "127.0.0.1", port: dnsPort), zone: zone + ".",
                    nameServer: "ns.\(zone).", mailbox: "hostmaster.\(zone).", transferFrom: ["127.0.0.1"]),
                logger: logger)
        } catch {
            await fleet.stop()
            printToStandardError(
                "cannot serve DNS on 127.0.0.1:\(dnsPort): \(error); choose another port with --dns-port")
            throw ExitCode(1)
        }
        let configuration = DemoConfiguration.configuration(snmpPort: fleet.port, interval: interval)
        let addresses = fleet.addresses
        let client = try await SNMPClient.start()
        let poller = NodePoller(
            addressBook: NodeAddressBook(
                port: fleet.port,
                resolve: { node, port in
                    guard let address = addresses[node] else { throw DemoError(node) }
                    return [try SocketAddress(ipAddress: address, port: port)]
                }),
            probe: SNMPNodeProbe(client: client, settings: configuration.snmp), concurrency: 16)
        let engine = EvaluationEngine(
            configuration: configuration, poller: poller, publishers: [embedded.publisher], logger: logger,
            seed: seed)
        print(banner(fleet: fleet), terminator: "")
        fflush(nil)

        let signals = SignalStream.make()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await engine.run() }
            group.addTask {
                await fleet.drift(every: .seconds(interval)) { change in
                    logger.notice("simulation: \(change)")
                }
            }
            if let duration {
                // Whichever comes first: the end of the duration or a signal.
                await withTaskGroup(of: Void.self) { race in
                    race.addTask { try? await Task.sleep(for: .seconds(duration)) }
                    race.addTask {
                        for await signal in signals where signal == .terminate { return }
                    }
                    await race.next()
                    race.cancelAll()
                }
            } else {
                for await signal in signals where signal == .terminate { break }
            }
            group.cancelAll()
        }
        await embedded.stop()
        await client.shutdown()
        await fleet.stop()
    }

    private func banner(fleet: DemoFleet) -> String {
        let zone = DemoConfiguration.zone
        return """
            lbd demo: 6 simulated nodes on 127.0.0.11-127.0.0.16 (SNMP v2c, port \(fleet.port)), \
            aliases www, api and batch in zone \(zone), evaluated every \(interval) s.
            DNS is served on 127.0.0.1 port \(dnsPort). Try, in another terminal:
              dig @127.0.0.1 -p \(dnsPort) www.\(zone)
              dig @127.0.0.1 -p \(dnsPort) api.\(zone) +short
              dig @127.0.0.1 -p \(dnsPort) \(zone) AXFR
            Ctrl-C stops.

            """
    }
}

private struct DemoError: Error, CustomStringConvertible {
    var node: String
    init(_ node: String) { self.node = node }
    var description: String { "\(node) is not a demo node" }
}
