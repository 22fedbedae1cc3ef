import Logging

/// `check command <shell text>`: runs the text with the shell (`bash -c`) and passes when it
/// exits with status 0.
///
/// A non-zero status is a failure, except 126 and 127: the shell uses them for a command that
/// is not executable or does not exist, which is a broken configuration rather than an
/// unhealthy node, so the check reports it as an error. The program's output is only logged.
/// An empty command passes, as `bash -c ""` does.
public struct CommandCheck: Check {
    /// The shell text, exactly as written after the keyword (surrounding blanks removed).
    public let command: String

    public init(line: ConfigLine) throws {
        command = line.arguments
    }

    public func run(in context: CheckContext) async throws -> CheckResult {
        if command.isEmpty { return .pass("empty command") }
        let shell = context.system.shell
        let result = try await context.commands.run(
            shell, arguments: ["-c", command], timeout: context.timeout)
        Self.log(result, of: command, in: context)
        switch result.termination {
        case .exited(0):
            return .pass("`\(command)` exited with status 0")
        case .exited(126):
            throw CheckError("`\(command)`: the command is not executable (\(shell) exit status 126)")
        case .exited(127):
            throw CheckError("`\(command)`: the command was not found (\(shell) exit status 127)")
        case .exited(let status):
            return .fail(
                "`\(command)` exited with status \(status)\(Self.firstLine(of: result.standardError))")
        case .signalled(let signal):
            throw CheckError("`\(command)` was killed by signal \(signal)")
        }
    }

    private static func log(_ result: CommandResult, of command: String, in context: CheckContext) {
        context.logger.debug(
            "command finished",
            metadata: [
                "command": "\(command)", "termination": "\(result.terminationDescription)",
                "stdout": "\(result.standardOutput)", "stderr": "\(result.standardError)",
            ])
    }

    /// `: <first line of stderr>`, or nothing, so the failure detail hints at the reason.
    private static func firstLine(of text: String) -> String {
        guard
            let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) }
            )
        else { return "" }
        return ": " + String(line.prefix(200))
    }
}
