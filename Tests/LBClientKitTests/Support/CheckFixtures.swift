import Foundation

@testable import LBClientKit

/// Builders shared by the keyword check tests.
enum CheckFixtures {
    /// Column of the arguments in the lines built here (as if after `check daemon `, plus one).
    static let argumentsColumn = 15

    static func line(_ keyword: Keyword, _ arguments: String = "", verb: Verb = .check) -> ConfigLine {
        ConfigLine(
            file: "t.conf", lineNumber: 1, text: "\(verb.rawValue) \(keyword.rawValue) \(arguments)",
            verb: verb,
            keyword: keyword, arguments: arguments, argumentsColumn: argumentsColumn)
    }

    /// A context whose system files live under `root`.
    static func context(
        root: String, aliases: [String] = ["a.cern.ch"], isAliasSpecific: Bool = false,
        collectdctl: String = "/nonexistent/collectdctl", eosxd: String = "/nonexistent/eosxd",
        shell: String = "/bin/bash", timeout: Duration = .seconds(20)
    ) -> CheckContext {
        CheckContext(
            system: SystemEnvironment(root: root, collectdctl: collectdctl, eosxd: eosxd, shell: shell),
            aliases: aliases, isAliasSpecific: isAliasSpecific, commands: FreshScriptRunner(),
            timeout: timeout)
    }
}

/// Runs programs like ``ProcessRunner``, retrying a launch that fails with ETXTBSY.
///
/// Tests write their fake helper scripts while other tests spawn programs in parallel; a child
/// forked at that moment briefly inherits the script's write descriptor, and executing the
/// script then fails with "Text file busy" until that child has exec'd. lbclient itself never
/// writes the programs it runs, so only the tests need this.
struct FreshScriptRunner: CommandRunning {
    let runner = ProcessRunner()

    func run(_ executable: String, arguments: [String], timeout: Duration) async throws -> CommandResult {
        var attempt = 0
        while true {
            do {
                return try await runner.run(executable, arguments: arguments, timeout: timeout)
            } catch CommandError.launchFailed(_, let code) where code == ETXTBSY && attempt < 50 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
