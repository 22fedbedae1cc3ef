import ArgumentParser
import Foundation
import LBDaemonKit

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show why an alias resolves to what it does: its latest decision, member by member.",
        discussion: """
            Asks the running lbd (GET /api/v1/aliases/ALIAS on http.listen, --url); when nothing \
            answers there, or with --state-dir alone, reads the decisions file lbd keeps in its \
            state directory (decisions.json, written every few seconds and at stop). Prints the \
            table `lbd simulate` prints, what each publisher did, when the decision was made, by \
            which instance, and whether it was published.

            Exit codes: 0 the decision was printed; 1 no such alias was decided (close names are \
            listed) or it was not evaluated yet; 2 nothing to read: no lbd answers and there is no \
            decisions file, the file is unreadable or damaged, or lbd refused (HTTP 401: give \
            --token-file).
            """
    )

    @Argument(help: "The alias, e.g. www.lb.example.org.")
    var alias: String

    @OptionGroup var server: RunningLBDOptions

    @Option(
        name: [.customLong("state-dir"), .customLong("state-directory")],
        help: ArgumentHelp(
            "The state directory to read decisions.json from (that of `lbd run`). Given without --url, lbd is not asked (default: none, /var/lib/lbd when lbd does not answer).",
            valueName: "dir"))
    var stateDir: String?

    @Flag(help: "Print the decision as JSON: lbd's API answer, or the decisions file's entry.")
    var json = false

    func validate() throws {
        guard !alias.isEmpty else { throw ValidationError("give the alias to explain") }
    }

    func run() async throws {
        let token = try RunningLBDOptions.token(in: server.tokenFile, command: "explain", exitCode: 2)
        // --state-dir alone means "lbd is not running here": the file is read, nothing is asked.
        let asksRunning = server.url != nil || stateDir == nil
        let explainer = AliasExplainer(
            client: asksRunning
                ? AliasExplanationClient(
                    baseURL: server.url ?? RunningLBDOptions.defaultURL, token: token, timeout: server.timeout
                )
                : nil,
            stateDirectory: stateDir ?? "/var/lib/lbd")
        let explanation: AliasExplanation
        do {
            explanation = try await explainer.explain(alias)
        } catch {
            printToStandardError("lbd explain: \(error)")
            throw ExitCode(error.exitCode)
        }
        if json {
            var text =
                explanation.answer.map { String(decoding: $0, as: UTF8.self) } ?? storedJSON(explanation)
            if !text.hasSuffix("\n") { text += "\n" }
            print(text, terminator: "")
        } else {
            print(AliasExplanationReport.render(explanation, now: Date()), terminator: "")
        }
    }

    private func storedJSON(_ explanation: AliasExplanation) -> String {
        let evaluation = explanation.evaluation
        let data =
            (try? DecisionsFile.encode(
                [evaluation.decision.alias: evaluation], instance: explanation.instance ?? "",
                writtenAt: {
                    if case .stateFile(_, let writtenAt) = explanation.source { return writtenAt }
                    return evaluation.finishedAt
                }())) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
