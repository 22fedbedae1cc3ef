import ArgumentParser
import LBCore
import LBDaemonKit

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

    /// Limits the allocator's arenas before any other thread starts (see ``MallocArenas``),
    /// then runs the command.
    static func main() async {
        MallocArenas.limit()
        await main(nil)
    }
}
