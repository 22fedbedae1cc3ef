import ArgumentParser
import Foundation
import LBClientKit
import Logging

/// Options shared by every mode: where the configuration is, where the system is, how long
/// checks may take, and where logs go.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("cm"), help: "Directory holding lbclient.conf and lbclient.conf.<alias> files.")
    var configDirectory = "/usr/local/etc/"

    @Option(name: .customLong("ca"), help: "The alias list (lbalias=NAME lines).")
    var aliasesFile = "/usr/local/etc/lbaliases"

    @Option(
        name: [.customShort("c"), .customLong("conf-name")],
        help: "File name of the configuration shared by aliases without a file of their own.")
    var configName = "lbclient.conf"

    @Option(help: "Prefix of every system file the checks read (/etc/nologin, /proc/net/tcp...).")
    var root = "/"

    @Option(
        name: .customLong("lemon-cli"),
        help: "The lemon-cli program (default: $LBCLIENT_LEMON_CLI, else \(SystemEnvironment().lemonCLI)).")
    var lemonCLI: String?

    @Option(
        help:
            "The collectdctl program (default: $LBCLIENT_COLLECTDCTL, else \(SystemEnvironment().collectdctl))."
    )
    var collectdctl: String?

    @Option(
        name: .customLong("collectd-socket"),
        help:
            "collectd's unixsock socket, used directly when it exists (default: $LBCLIENT_COLLECTD_SOCKET, else \(SystemEnvironment().collectdSocket))."
    )
    var collectdSocket: String?

    @Option(help: "The eosxd program (default: $LBCLIENT_EOSXD, else \(SystemEnvironment().eosxd)).")
    var eosxd: String?

    @Option(
        name: [.customLong("timeout"), .customLong("exec.timeout", withSingleDash: false)],
        help:
            "How long one check may take, e.g. 30s, 1m, 500ms; a program still running then is killed with its process group (default: 30s).",
        transform: parseDuration)
    var timeout: Duration = .seconds(30)

    @Option(
        help: "How long the whole evaluation may take; checks still running then fail (default: 40s).",
        transform: parseDuration)
    var deadline: Duration = .seconds(40)

    @Option(
        name: [.customShort("d"), .customLong("loglevel")],
        help: "Log level: trace, debug, info, warning, error, critical.")
    var logLevel = "warning"

    @Option(
        name: [.customShort("m"), .customLong("logMode")],
        help: "Log format: nested (text lines) or fluentd (JSON lines).")
    var logMode = "nested"

    @Option(
        name: .customLong("log-file"),
        help: "Append logs to this file instead of syslog (default: none, syslog). Logs never go to stdout.")
    var logFile: String?

    @Flag(
        name: .customLong("log-stderr"),
        help:
            "Write logs to stderr instead of syslog (for running by hand: snmpd's pass mixes a program's stderr into its answer)."
    )
    var logToStandardError = false

    func validate() throws {
        guard LogSetup.level(named: logLevel) != nil else {
            throw ValidationError(
                "unknown log level `\(logLevel)`; use trace, debug, info, warning, error or critical")
        }
        guard LogSetup.format(mode: logMode) != nil else {
            throw ValidationError("unknown log mode `\(logMode)`; use nested, fluentd or fluentd_pretty")
        }
        guard timeout > .zero else { throw ValidationError("--timeout must be positive") }
        guard deadline > .zero else { throw ValidationError("--deadline must be positive") }
    }

    var system: SystemEnvironment {
        let environment = ProcessInfo.processInfo.environment
        let defaults = SystemEnvironment()
        return SystemEnvironment(
            root: root,
            lemonCLI: lemonCLI ?? environment["LBCLIENT_LEMON_CLI"] ?? defaults.lemonCLI,
            collectdctl: collectdctl ?? environment["LBCLIENT_COLLECTDCTL"] ?? defaults.collectdctl,
            collectdSocket: collectdSocket ?? environment["LBCLIENT_COLLECTD_SOCKET"]
                ?? defaults.collectdSocket,
            eosxd: eosxd ?? environment["LBCLIENT_EOSXD"] ?? defaults.eosxd)
    }

    func makeLogger() throws -> Logger {
        try LogSetup.bootstrap(
            level: LogSetup.level(named: logLevel) ?? .warning,
            format: LogSetup.format(mode: logMode) ?? .text,
            destination: logFile.map { .file($0) } ?? (logToStandardError ? .standardError : .syslog))
        return Logger(label: "lbclient")
    }

    func makeEvaluator(logger: Logger) -> ClientEvaluator {
        ClientEvaluator(
            discovery: ConfigDiscovery(
                directory: configDirectory, aliasesFile: aliasesFile, defaultName: configName),
            system: system, lineTimeout: timeout, deadline: deadline, logger: logger)
    }
}

/// `30s`, `1m`, `500ms`, `1.5s`, or a plain number of seconds (golbclient took Go durations).
func parseDuration(_ text: String) throws -> Duration {
    let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for unit in units where text.hasSuffix(unit.suffix) {
        let number = text.dropLast(unit.suffix.count)
        if let value = Double(number), value.isFinite, value >= 0 {
            return .milliseconds(Int64((value * unit.seconds * 1000).rounded()))
        }
    }
    if let value = Double(text), value.isFinite, value >= 0 {
        return .milliseconds(Int64((value * 1000).rounded()))
    }
    throw ValidationError("`\(text)` is not a duration; write e.g. 30s, 1m or 500ms")
}
