import ArgumentParser
import LBDaemonKit

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file (lbd YAML, golbd line or golbd YAML format).",
        discussion: """
            Prints a summary (aliases, members, partitions) and exits 0, or prints every error as \
            FILE:LINE:COLUMN: error: MESSAGE and exits 1 (the first 100, then how many more). \
            Warnings go to standard error, among them the settings lbd reads but does not act on \
            yet (ha.mode heartbeat, from golbd's master line; http.listen).
            """
    )

    @Argument(help: "The configuration file.")
    var path: String

    @Flag(
        help:
            "Print the configuration in lbd's YAML format, every default explicit (converts a golbd file).")
    var print = false

    @Option(
        help:
            "The file format (default: guessed from the file name and the content)."
    )
    var format: ConfigurationFormat?

    func run() throws {
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigurationLoader.load(path: path, format: format)
        } catch {
            printToStandardError(error.description)
            let count = error.errors.count
            printToStandardError("\(path): \(count) error\(count == 1 ? "" : "s")")
            throw ExitCode(1)
        }
        for warning in loaded.warnings { printToStandardError(warning.description) }
        for warning in loaded.configuration.notImplementedWarnings {
            printToStandardError(
                ConfigurationIssue(severity: .warning, file: path, line: nil, message: warning).description)
        }
        if print {
            Swift.print(NativeYAMLPrinter.render(loaded.configuration), terminator: "")
        } else {
            Swift.print(ConfigurationSummary.render(loaded, file: path), terminator: "")
        }
    }
}
