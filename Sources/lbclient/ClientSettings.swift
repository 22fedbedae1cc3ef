import ArgumentParser
import Foundation
import LBClientKit
import Logging

/// The values of ``ClientOptions`` as plain data, so that the one-shot path can fill them without
/// swift-argument-parser (see ``OneShotArguments``) and both paths share defaults, validation and
/// what is built from them.
struct ClientSettings {
    var configDirectory = "/usr/local/etc/"
    var aliasesFile = "/usr/local/etc/lbaliases"
    var configName = "lbclient.conf"
    var root = "/"
    var lemonCLI: String?
    var collectdctl: String?
    var collectdSocket: String?
    var eosxd: String?
    var timeout: Duration = .seconds(30)
    var deadline: Duration = .seconds(40)
    var logLevel = "warning"
    var logMode = "nested"
    var logFile: String?
    var logToStandardError = false

    /// The defaults, for the options' initial values and their help.
    static let defaults = ClientSettings()

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
        let defaults = SystemEnvironment()
        return SystemEnvironment(
            root: root,
            lemonCLI: lemonCLI ?? Self.environment("LBCLIENT_LEMON_CLI") ?? defaults.lemonCLI,
            collectdctl: collectdctl ?? Self.environment("LBCLIENT_COLLECTDCTL") ?? defaults.collectdctl,
            collectdSocket: collectdSocket ?? Self.environment("LBCLIENT_COLLECTD_SOCKET")
                ?? defaults.collectdSocket,
            eosxd: eosxd ?? Self.environment("LBCLIENT_EOSXD") ?? defaults.eosxd)
    }

    /// One environment variable. `getenv` rather than `ProcessInfo.environment`, which copies the
    /// whole environment into a dictionary: a measurable part of a one-shot run.
    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
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
