import ArgumentParser

@main
struct LBDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbd",
        abstract:
            "The load-balancing daemon: polls the members of every alias and publishes the least loaded.",
        version: "0.1.0",
        subcommands: [
            RunCommand.self, EvaluateCommand.self, DemoCommand.self, CheckConfigCommand.self,
            SimulateCommand.self, ProbeCommand.self,
        ]
    )
}
