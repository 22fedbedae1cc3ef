import ArgumentParser
import LBDaemonKit

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: poll and publish every alias at its interval until SIGTERM.",
        discussion: """
            SIGHUP, or a change to the configuration file, reloads it; a configuration that does not \
            load is reported and the running one kept. SIGTERM and SIGINT stop polling, let the \
            evaluations in flight finish their DNS updates, and exit 0.
            """
    )

    @Option(help: "The configuration file.")
    var config: String

    @Option(help: "The configuration format, instead of guessing it (default: guessed from the content).")
    var format: ConfigurationFormat?

    @Option(
        help:
            "Poll nodes on this SNMP port instead of the configured one (default: the file's snmp.port, 161)."
    )
    var snmpPort: Int?

    @Option(
        help:
            "Send queries and UPDATEs to this DNS server (HOST[:PORT]) instead of the configured one (default: the file's dns.server; port 53)."
    )
    var dnsServer: String?

    @Option(
        help: ArgumentHelp(
            "The state directory: lbd keeps what it published there and serves it again after a restart.",
            valueName: "dir"))
    var stateDir: String = "/var/lib/lbd"

    @OptionGroup var log: LogOptions

    func validate() throws {
        if let snmpPort, !(1...65_535).contains(snmpPort) {
            throw ValidationError("--snmp-port must be from 1 to 65535")
        }
        if let dnsServer {
            do {
                _ = try ServerAddress(parsing: dnsServer, defaultPort: 53)
            } catch {
                throw ValidationError("--dns-server: \(error)")
            }
        }
    }

    func run() async throws {
        let logger = log.bootstrap()
        let snmpPort = self.snmpPort
        let dnsServer = try dnsServer.map { try ServerAddress(parsing: $0, defaultPort: 53) }
        let daemon = Daemon(
            path: config, format: format,
            override: { configuration in
                if let snmpPort { configuration.snmp.port = snmpPort }
                if let dnsServer { configuration.dns.server = dnsServer }
            }, logger: logger, stateDirectory: stateDir)
        do {
            try await daemon.run(signals: SignalStream.make())
        } catch {
            throw ExitCode(1)
        }
    }
}
