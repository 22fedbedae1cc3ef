import ArgumentParser
import LBCore
import LBDaemonKit

struct UndrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undrain",
        abstract: "Put a drained node back: its drains, or its drain of one alias, are removed.",
        discussion: """
            Removes the node's drains from drains.json in the state directory; a running lbd \
            decides the node's aliases again within about a second. A node that is not drained \
            is reported on standard error, and the command still exits 0.
            """
    )

    @Argument(help: "The node, as it was drained.")
    var node: String

    @Option(help: "Remove only the drain of this alias (default: every drain of the node).")
    var alias: String?

    @Option(help: "Who undrains, for the audit log (default: SUDO_USER, else the login name).")
    var by: String?

    @OptionGroup var options: DrainOptions

    func run() throws {
        let change: DrainChange
        do {
            change = try options.book.remove(
                node: node, alias: alias, by: by ?? DrainOptions.invokingUser())
        } catch {
            throw DrainOptions.fail("undrain", error)
        }
        guard !change.removed.isEmpty else {
            printToStandardError(
                "lbd undrain: \(node) is not drained\(alias.map { " in \($0)" } ?? "") (lbd drains lists the drains)"
            )
            return
        }
        for drain in change.removed {
            print("undrained \(drain.node) in \(drain.alias ?? "all aliases") (was \(drain.explanation))")
        }
    }
}
