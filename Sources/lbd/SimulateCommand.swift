import ArgumentParser
import Foundation
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

            To see stickiness, rise/fall, min_usable, max_changes and drains at work, the file may \
            also give "published": {ALIAS: [ADDRESS...]} (what DNS holds now), "drains": \
            [{"node": NODE, "alias": ALIAS, "by": WHO, "reason": TEXT}], and "rounds": \
            [{"nodes": {...}}, ...] instead of "nodes": several polls in a row, each decided from \
            what the previous one left (docs/configuration.md, Simulating the options).
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
        name: .customLong("drain"),
        help: ArgumentHelp(
            "Drain a node in every round, as `lbd drain` would: NODE[@ALIAS]:REASON (an IPv6 member in brackets). Repeatable (default: only the reports file drains).",
            valueName: "NODE[@ALIAS]:REASON"))
    var drains: [String] = []

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
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "operator"
        var drains: [Drain] = []
        for argument in self.drains {
            do {
                drains.append(try DrainArgument.parse(argument, by: user))
            } catch {
                printToStandardError("error: \(error)")
                throw ExitCode(1)
            }
        }
        for warning in loaded.warnings { printToStandardError(warning.description) }
        var random = SeededRandomNumberGenerator(seed: seed ?? UInt64.random(in: .min ... .max))
        let rounds = Simulation.rounds(
            configuration: loaded.configuration, reports: replies, drains: drains, using: &random)
        if json {
            print(
                rounds.count == 1
                    ? DecisionJSON.render(rounds[0], seed: seed)
                    : DecisionJSON.render(rounds: rounds, seed: seed),
                terminator: "")
        } else {
            print(DecisionTable.render(rounds: rounds), terminator: "")
        }
    }
}
