import ArgumentParser
import LBCore

@main
struct LBDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbd",
        abstract:
            "The load-balancing daemon: polls the members of every alias and publishes the least loaded.",
        version: ProductVersion.current,
        subcommands: [
            RunCommand.self, EvaluateCommand.self, DemoCommand.self, CheckConfigCommand.self,
            SimulateCommand.self, ProbeCommand.self, StatusCommand.self, ExplainCommand.self,
            DrainCommand.self, UndrainCommand.self, DrainsCommand.self,
        ]
    )
}
