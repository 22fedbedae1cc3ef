import ArgumentParser
import Foundation
import LBClientKit
import Logging

/// Options shared by every mode: where the configuration is, where the system is, how long
/// checks may take, and where logs go.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("cm"), help: "Directory holding lbclient.conf and lbclient.conf.<alias> files.")
    var configDirectory = ClientSettings.defaults.configDirectory

    @Option(name: .customLong("ca"), help: "The alias list (lbalias=NAME lines).")
    var aliasesFile = ClientSettings.defaults.aliasesFile

    @Option(
        name: [.customShort("c"), .customLong("conf-name")],
        help: "File name of the configuration shared by aliases without a file of their own.")
    var configName = ClientSettings.defaults.configName

    @Option(help: "Prefix of every system file the checks read (/etc/nologin, /proc/net/tcp...).")
    var root = ClientSettings.defaults.root

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
    var timeout: Duration = ClientSettings.defaults.timeout

    @Option(
        help: "How long the whole evaluation may take; checks still running then fail (default: 40s).",
        transform: parseDuration)
    var deadline: Duration = ClientSettings.defaults.deadline

    @Option(
        name: [.customShort("d"), .customLong("loglevel")],
        help: "Log level: trace, debug, info, warning, error, critical.")
    var logLevel = ClientSettings.defaults.logLevel

    @Option(
        name: [.customShort("m"), .customLong("logMode")],
        help: "Log format: nested (text lines) or fluentd (JSON lines).")
    var logMode = ClientSettings.defaults.logMode

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

    /// The same values as plain data.
    var settings: ClientSettings {
        ClientSettings(
            configDirectory: configDirectory, aliasesFile: aliasesFile, configName: configName, root: root,
            lemonCLI: lemonCLI, collectdctl: collectdctl, collectdSocket: collectdSocket, eosxd: eosxd,
            timeout: timeout, deadline: deadline, logLevel: logLevel, logMode: logMode, logFile: logFile,
            logToStandardError: logToStandardError)
    }

    func validate() throws { try settings.validate() }

    var system: SystemEnvironment { settings.system }

    func makeLogger() throws -> Logger { try settings.makeLogger() }

    func makeEvaluator(logger: Logger) -> ClientEvaluator { settings.makeEvaluator(logger: logger) }
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
