import ArgumentParser
import Foundation
import LBClientKit
import LBCore
import Logging

/// The whole command line; ``LBClientMain`` runs the common one-shot invocations without it.
struct LBClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbclient",
        abstract: "Evaluates this node's checks and loads and prints the answer lbd reads over SNMP.",
        discussion: """
            Without a mode, prints net-snmp's three-line `pass` answer on stdout: the load OID, \
            `integer` (one configuration file) or `string` (alias=value pairs), and the value.
            """,
        subcommands: [AgentCommand.self, SnmpdConfCommand.self, CheckConfigCommand.self])

    @OptionGroup var options: ClientOptions

    @Flag(name: .customLong("pass-persist"), help: "Speak net-snmp's pass_persist protocol on stdin/stdout.")
    var passPersist = false

    @OptionGroup var cache: CacheTimeOption

    /// `--notify` and `--snmp-config` (only its users, for `--notify`): with --pass-persist.
    @OptionGroup var notify: NotifyOptions

    @Option(
        name: [.customShort("t"), .customLong("exec.checkconfig", withSingleDash: false)],
        help:
            "Check this one configuration file and exit, see `lbclient check-config` (default: none, evaluate)."
    )
    var checkConfigFile: String?

    @Option(
        name: [.customShort("p"), .customLong("post")],
        help:
            "After printing, POST the per-alias loads to the endpoint described in this lbpost.yaml (default: none, no POST)."
    )
    var postFile: String?

    @Option(name: [.customShort("g"), .customLong("gdata")], help: .hidden)
    var getOID: String?

    @Option(name: [.customShort("n"), .customLong("ndata")], help: .hidden)
    var getNextOID: String?

    /// net-snmp `pass` SET: `-s OID TYPE VALUE`.
    @Option(name: .customShort("s"), parsing: .upToNextOption, help: .hidden)
    var setArguments: [String] = []

    @Flag(name: [.customShort("v"), .customLong("version")], help: "Print the version and exit.")
    var printVersion = false

    mutating func run() async throws {
        if printVersion {
            print("lbclient version \(ProductVersion.current)")
            return
        }
        if !setArguments.isEmpty {
            // net-snmp `pass` SET: the load is read-only.
            print("not-writable")
            return
        }
        if let checkConfigFile {
            try await CheckConfigCommand.check(checkConfigFile, syntaxOnly: false, options: options)
            return
        }
        if !passPersist && !notify.receivers.isEmpty {
            throw ValidationError(
                "--notify works with --pass-persist or `lbclient agent`, which keep running")
        }
        let logger = try options.makeLogger()
        let evaluator = options.makeEvaluator(logger: logger)
        if passPersist {
            try await PassPersistLoop(
                evaluator: evaluator, cacheTime: cache.cacheTime,
                notifiers: try notify.makeNotifiers(logger: logger),
                notify: notify, options: options, logger: logger
            ).run()
            return
        }
        try await Self.answerOnce(evaluator: evaluator, postFile: postFile, logger: logger)
    }

    /// One evaluation printed as net-snmp's `pass` answer, then the POST of `-p` if given.
    static func answerOnce(evaluator: ClientEvaluator, postFile: String?, logger: Logger) async throws {
        let plan: ClientEvaluator.Plan
        do throws(DiscoveryError) {
            plan = try evaluator.plan()
        } catch {
            throw discoveryFailed(error, logger: logger)
        }
        try await answerOnce(plan, evaluator: evaluator, postFile: postFile, logger: logger)
    }

    /// Logs and prints why no configuration could be found; the exit status to leave with.
    static func discoveryFailed(_ error: DiscoveryError, logger: Logger) -> ExitCode {
        logger.critical("\(error.message)")
        printToStandardError("lbclient: \(error.message)")
        return ExitCode(1)
    }

    /// ``answerOnce(evaluator:postFile:logger:)`` once the files are found and read.
    static func answerOnce(
        _ plan: ClientEvaluator.Plan, evaluator: ClientEvaluator, postFile: String?, logger: Logger
    ) async throws {
        let report = await evaluator.run(plan)
        StandardOutput.write(report.answer.rendered)
        if let postFile {
            do {
                try await LoadPoster.post(report.loadsByAlias, configurationFile: postFile, logger: logger)
            } catch {
                logger.error("\(error)")
                printToStandardError("lbclient: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

/// Writes to stdout unbuffered, so the answer is out before any later failure.
enum StandardOutput {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(1, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}

func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
