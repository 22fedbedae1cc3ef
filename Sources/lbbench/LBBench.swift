import ArgumentParser
import LBDaemonKit

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

    /// The allocator as lbd sets it (``MallocArenas``), before any other thread starts: the
    /// engine and the DNS server measured here in process then run as in lbd.
    static func main() async {
        MallocArenas.limit()
        await main(nil)
    }
}
