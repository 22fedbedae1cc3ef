import ArgumentParser
import LBCore
import LBDaemonKit
import Logging
import SNMP

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Poll every alias's members once, print the decisions and the DNS change each would make.",
        discussion: """
            Publishes the changes unless --dry-run is given. Exits 1 when a publisher failed. \
            With --dry-run, each alias is read from the DNS server with its view's key (a wrong \
            key or an unserved zone shows), but no UPDATE is sent, so whether the server would \
            accept one (allow-update, the key's update permission) is not checked.
            """
    )

    @Option(help: "The configuration file.")
    var config: String

    @Option(
        help:
            "The configuration format (default: guessed from the file name and the content)."
    )
    var format: ConfigurationFormat?

    @Flag(help: "Evaluate once and exit (required: `lbd run` is the daemon).")
    var once = false

    @Flag(
        help:
            "Only show what would change in DNS; change nothing. Cannot check that the server would accept an UPDATE."
    )
    var dryRun = false

    @Flag(help: "Print JSON: {\"aliases\": {ALIAS: {\"publish\": [...], \"dns\": [...], ...}}}.")
    var json = false

    @Option(help: "Poll nodes on this SNMP port (default: the configuration's snmp.port, 161).")
    var snmpPort: Int?

    @Option(
        help:
            "Send queries and UPDATEs to this DNS server, HOST[:PORT] (default: the configuration's dns.server)."
    )
    var dnsServer: String?

    @Option(help: "Seed of the tie-break randomness, for reproducible output (default: random).")
    var seed: UInt64?

    @Option(
        help:
            "Record what was published by UPDATE in this state directory, as `lbd run --state-dir` does, and apply the drains kept there (default: none; a dry run records nothing)."
    )
    var stateDir: String?

    /// What a dry run cannot tell, said in its help and its output.
    static let dryRunLimit =
        "UPDATE permission was not checked (no UPDATE is sent: the server's allow-update or key rights show only without --dry-run)"

    func validate() throws {
        guard once else { throw ValidationError("evaluate needs --once (the daemon is `lbd run`)") }
        if let snmpPort, !(1...65_535).contains(snmpPort) {
            throw ValidationError("--snmp-port must be from 1 to 65535")
        }
    }

    func run() async throws {
        var configuration: Configuration
        do {
            let loaded = try ConfigurationLoader.load(path: config, format: format)
            for warning in loaded.warnings { printToStandardError(warning.description) }
            configuration = loaded.configuration
            if let snmpPort { configuration.snmp.port = snmpPort }
            if let dnsServer {
                configuration.dns.server = try ServerAddress(parsing: dnsServer, defaultPort: 53)
            }
        } catch let error as ConfigurationError {
            printToStandardError(error.description)
            throw ExitCode(1)
        } catch {
            printToStandardError("--dns-server: \(error)")
            throw ExitCode(1)
        }
        var logger = Logger(label: "lbd")
        logger.logLevel = .warning
        let stateStore = stateDir.map { StateStore(directory: $0, logger: logger) }
        stateStore?.load()
        let assembly = try await EngineFactory.make(
            configuration: configuration, logger: logger, seed: seed ?? UInt64.random(in: .min ... .max),
            dryRun: dryRun, state: stateStore,
            published: stateStore?.publishedAddresses(of: configuration.servedAliases.map(\.name)) ?? [:],
            drains: stateDir.map { DrainBook.loaded(stateDirectory: $0, logger: logger) })
        let engine = assembly.engine
        let evaluations = await engine.evaluateAll()
        await assembly.shutdown()
        await stateStore?.flush()
        let decisions = evaluations.map(\.decision)
        let publications = Dictionary(
            evaluations.map { ($0.decision.alias, $0.results) }, uniquingKeysWith: { $1 })
        if json {
            print(DecisionJSON.render(decisions, seed: seed, publications: publications), terminator: "")
        } else {
            print(DecisionTable.render(decisions, publications: publications), terminator: "")
        }
        if dryRun {
            // On stdout after the table; on stderr with --json, whose stdout is one JSON document.
            let note = "dry run: nothing was published; " + Self.dryRunLimit
            if json { printToStandardError(note) } else { print(note) }
        }
        if evaluations.contains(where: { $0.action == "failed" || $0.action == "partly-failed" }) {
            throw ExitCode(1)
        }
    }
}
