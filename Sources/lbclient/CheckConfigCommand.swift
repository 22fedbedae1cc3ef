import ArgumentParser
import LBClientKit
import Logging

/// `lbclient check-config FILE` (also `lbclient -t FILE`): validates one configuration file and,
/// unless `--syntax-only`, runs every line for real as golbclient's `-t` did, then says what the
/// node would answer. Exit status: 0 for a positive load, 1 when the file is broken or a line
/// errs or times out, 2 when the node would answer a negative code.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check one configuration file: syntax, keywords, arguments, then every line.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "The configuration file to check.")
    var file: String

    @Flag(name: .customLong("syntax-only"), help: "Only read and validate the file; run no check.")
    var syntaxOnly = false

    func run() async throws {
        try await Self.check(file, syntaxOnly: syntaxOnly, options: options)
    }

    static func check(_ file: String, syntaxOnly: Bool, options: ClientOptions) async throws {
        let logger = try options.makeLogger()
        let lines: [PreparedLine]
        switch ClientEvaluator.load(file) {
        case .failure(let problem):
            printToStandardError(problem.message)
            throw ExitCode(1)
        case .success(let prepared):
            lines = prepared
        }
        if syntaxOnly {
            print("\(file): \(lines.count) action line\(lines.count == 1 ? "" : "s"), syntax OK")
            return
        }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let alias =
            name.hasPrefix(ConfigDiscovery.aliasFilePrefix)
            ? String(name.dropFirst(ConfigDiscovery.aliasFilePrefix.count)) : nil
        let mapping = ConfigMapping(
            path: file, aliases: alias.map { [$0] } ?? [], isAliasSpecific: alias != nil)
        let context = CheckContext(system: options.system, timeout: options.timeout, logger: logger)
        let report = await FileEvaluator(lineTimeout: options.timeout, runsEveryLine: true)
            .evaluate(lines, for: mapping, context: context, deadline: .now.advanced(by: options.deadline))
        var broken = false
        for line in report.lines {
            print(
                "\(file):\(line.line.lineNumber): \(line.line.verb.rawValue) \(line.line.keyword.rawValue): \(line.outcome.summary)"
            )
            switch line.outcome {
            case .error, .timedOut: broken = true
            default: break
            }
        }
        print("\(file): the node would answer \(report.value) (\(report.reason))")
        if broken { throw ExitCode(1) }
        if report.value < 0 { throw ExitCode(Self.failingAnswerStatus) }
    }

    /// The exit status when every line ran but the node would answer a negative code: distinct
    /// from 1 (the file is broken), so a deployment script can tell a drained node from a typo.
    static let failingAnswerStatus: Int32 = 2
}
