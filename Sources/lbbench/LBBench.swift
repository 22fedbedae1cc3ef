import ArgumentParser

@main
struct LBBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbbench",
        abstract: "Benchmarks that print figures. Build with -c release: swift run -c release lbbench ...",
        subcommands: [
            SNMPBenchmarkCommand.self, SNMPAgentsCommand.self, LBClientBenchmarkCommand.self,
            DNSBenchmarkCommand.self, CycleBenchmarkCommand.self, CycleAgentsCommand.self,
            FuzzCommand.self, FailoverCommand.self, HAProxyBenchmarkCommand.self,
            HistoryBenchmarkCommand.self, ReactionCommand.self,
        ]
    )
}
