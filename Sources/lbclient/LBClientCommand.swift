import ArgumentParser
import LBClientKit

@main
struct LBClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbclient",
        abstract: "Reports this node's load to lbd (the checks and loads arrive with the lbclient issue).",
        version: "0.1.0"
    )

    func run() throws {
        throw ValidationError("no checks are implemented yet in this version of lbclient")
    }
}
