import ArgumentParser
import LBCore
import LBDaemonKit

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Show what lbd would publish for every alias, given node replies from a JSON file.",
        discussion: """
            The reports file is {"nodes": {NODE: {ADDRESS: REPLY, ...}, ...}} where REPLY is an \
            integer (an SNMP INTEGER reply), a string such as "a.example.org=12,b.example.org=-3" \
            (an OCTET STRING reply), null (no answer) or {"error": "..."}; a node that is null or \
            absent did not resolve. Ties between equal loads are broken at random: give --seed for \
            reproducible output.
            """
    )

    @Option(help: "The configuration file.")
    var config: String

    @Option(help: "The JSON file of node replies.")
    var reports: String

    @Flag(help: "Print JSON: {\"aliases\": {ALIAS: {\"publish\": [ADDRESS...] or null, ...}}}.")
    var json = false

    @Option(help: "Seed of the tie-break randomness, for reproducible output (default: random).")
    var seed: UInt64?

    @Option(
        help:
            "The configuration format (default: guessed from the file name and the content)."
    )
    var format: ConfigurationFormat?

    func run() throws {
        let loaded: LoadedConfiguration
        let replies: NodeReportsFile
        do {
            loaded = try ConfigurationLoader.load(path: config, format: format)
            replies = try NodeReportsFile.load(path: reports)
        } catch {
            printToStandardError(error.description)
            throw ExitCode(1)
        }
        for warning in loaded.warnings { printToStandardError(warning.description) }
        var random = SeededRandomNumberGenerator(seed: seed ?? UInt64.random(in: .min ... .max))
        let decisions = Simulation.run(configuration: loaded.configuration, reports: replies, using: &random)
        if json {
            print(DecisionJSON.render(decisions, seed: seed), terminator: "")
        } else {
            print(DecisionTable.render(decisions), terminator: "")
        }
    }
}
