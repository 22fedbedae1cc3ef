import ArgumentParser
import Foundation
import LBCore
import LBDaemonKit

struct DrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Take a node out of DNS, for every alias or one, for a while or until lbd undrain.",
        discussion: """
            Writes the drain to drains.json in the state directory, whether lbd runs or not: a \
            running lbd applies it within about a second (the node's aliases are decided again \
            at once, without waiting for their next poll), and a restarted lbd keeps it. The \
            drained member is unusable with the reason "drained by WHO: REASON" until the drain \
            expires or lbd undrain removes it. A drain of the same node and alias replaces the \
            one before. Every change is appended to drains.log in the state directory.
            """
    )

    @Argument(help: "The node, as the configuration names it among an alias's members.")
    var node: String

    @Option(help: "Drain the node in this alias only (default: in every alias it is a member of).")
    var alias: String?

    @Option(
        name: .customLong("for"),
        help: ArgumentHelp(
            "How long: 30m, 1h, 2h30m, 1d (default: until lbd undrain).", valueName: "duration"))
    var duration: String?

    @Option(help: "Why: shown in every explanation of the node's aliases.")
    var reason: String

    @Option(help: "Who drains (default: SUDO_USER, else the login name).")
    var by: String?

    @Option(
        help: ArgumentHelp(
            "Warn when the node (or alias) is not in this configuration file.", valueName: "file"))
    var config: String?

    @OptionGroup var options: DrainOptions

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--reason must say why the node is drained")
        }
        if let duration {
            do {
                _ = try DrainDuration.seconds(duration)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() throws {
        if let config { DrainConfigurationCheck.warn(node: node, alias: alias, config: config) }
        let book = options.book
        let now = book.now
        let until = try duration.map { now + (try DrainDuration.seconds($0)) }
        let drain = Drain(
            node: node, alias: alias, by: by ?? DrainOptions.invokingUser(), reason: reason, since: now,
            until: until)
        let change: DrainChange
        do {
            change = try book.add(drain)
        } catch {
            throw DrainOptions.fail("drain", error)
        }
        let scope = alias.map { "in \($0)" } ?? "in all aliases"
        let expiry =
            until.map { " until \(DrainListing.time($0)) (\(DrainListing.remaining($0 - now)))" }
            ?? " until lbd undrain"
        print("drained \(node) \(scope)\(expiry): \(drain.explanation)")
        if let replaced = change.replaced {
            print("replaces the drain by \(replaced.by): \(replaced.reason)")
        }
        print("a running lbd applies it within a second; lbd drains lists the drains")
    }
}
