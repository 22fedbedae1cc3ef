import ArgumentParser
import LBDaemonKit
import Logging

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

    @Option(help: "The port of the web pages (dashboards, API, /metrics) on 127.0.0.1; 0 turns them off.")
    var httpPort = 8080

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
        guard (0...65_535).contains(httpPort) else {
            throw ValidationError("--http-port must be from 0 (off) to 65535")
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
        print(banner(fleet: fleet), terminator: "")
        fflush(nil)
        do {
            try await DemoRun.run(
                fleet: fleet, embedded: embedded, interval: interval, duration: duration, seed: seed,
                logger: logger, http: httpPort == 0 ? nil : ServerAddress(host: "127.0.0.1", port: httpPort),
                onListening: { port in
                    print(
                        "Dashboards: http://127.0.0.1:\(port)/   API: http://127.0.0.1:\(port)/api/v1/aliases"
                    )
                    fflush(nil)
                })
        } catch {
            printToStandardError("cannot open the SNMP client's sockets: \(error)")
            await embedded.stop()
            await fleet.stop()
            throw ExitCode(1)
        }
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
