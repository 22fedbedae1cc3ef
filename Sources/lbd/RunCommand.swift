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

    @Option(
        help: ArgumentHelp(
            "Serve only this partition's aliases (default: the file's `partition`, else every alias).",
            valueName: "name"))
    var partition: String?

    @Option(
        help: ArgumentHelp(
            "This instance's name, compared with ha.master and shown as the lease holder (default: the host name).",
            valueName: "name"))
    var instanceName: String?

    @OptionGroup var log: LogOptions

    func validate() throws {
        if let instanceName,
            instanceName.isEmpty || instanceName.contains(where: { $0.isWhitespace || $0.isNewline })
        {
            throw ValidationError("--instance-name must be a non-empty name without blanks")
        }
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
        let partition = self.partition
        let daemon = Daemon(
            path: config, format: format,
            override: { configuration in
                if let snmpPort { configuration.snmp.port = snmpPort }
                if let dnsServer { configuration.dns.server = dnsServer }
                if let partition { configuration.partition = partition }
            }, logger: logger, stateDirectory: stateDir,
            instanceName: instanceName ?? InstanceName.current())
        do {
            try await daemon.run()
        } catch {
            throw ExitCode(1)
        }
    }
}
