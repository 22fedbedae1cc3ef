import ArgumentParser
import LBDaemonKit

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file (lbd YAML, golbd line or golbd YAML format).",
        discussion: """
            Prints a summary (aliases, members, the aliases of each partition) and exits 0, or \
            prints every error as FILE:LINE:COLUMN: error: MESSAGE and exits 1 (the first 100, then \
            how many more). Warnings go to standard error, each naming the behaviour that changes \
            from golbd's. With \
            --partition (or the file's `partition`), says which aliases that instance would serve, \
            and exits 1 when no alias is in that partition.
            """
    )

    @Argument(help: "The configuration file (or give it with --config).")
    var path: String?

    @Option(
        help: ArgumentHelp(
            "The configuration file, as `lbd run --config` takes it (default: the argument).",
            valueName: "file"))
    var config: String?

    @Option(
        help: ArgumentHelp(
            "Check as `lbd run --partition NAME` would run (default: the file's `partition`, else every alias).",
            valueName: "name"))
    var partition: String?

    @Flag(
        help:
            "Print the configuration in lbd's YAML format, every default explicit (converts a golbd file).")
    var print = false

    @Option(
        help:
            "The file format (default: guessed from the file name and the content)."
    )
    var format: ConfigurationFormat?

    func validate() throws {
        switch (path, config) {
        case (nil, nil): throw ValidationError("give the configuration file, as an argument or with --config")
        case (.some, .some):
            throw ValidationError("give the configuration file once: as an argument or with --config")
        default: break
        }
    }

    func run() throws {
        let path = self.path ?? config ?? ""
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
        var checked = loaded
        if let partition { checked.configuration.partition = partition }
        // `lbd run` refuses to start on it: an instance that would serve nothing is an error here.
        if let problem = checked.configuration.partitionProblem() {
            printToStandardError(
                ConfigurationIssue(severity: .error, file: path, line: nil, message: problem.description)
                    .description)
            throw ExitCode(1)
        }
        if print {
            // The file as it is: --partition is an instance's choice, not the shared file's.
            Swift.print(NativeYAMLPrinter.render(loaded.configuration), terminator: "")
        } else {
            Swift.print(ConfigurationSummary.render(checked, file: path), terminator: "")
        }
    }
}
