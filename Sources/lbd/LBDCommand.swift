import ArgumentParser
import LBDaemonKit

@main
struct LBDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbd",
        abstract: "The load-balancing daemon.",
        version: "0.1.0",
        subcommands: []
    )
}
