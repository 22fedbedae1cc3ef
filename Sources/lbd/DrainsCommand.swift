import ArgumentParser
import LBCore
import LBDaemonKit

struct DrainsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drains",
        abstract: "List the drains in force: node, alias, who, why, since and until when.",
        discussion: """
            Reads drains.json in the state directory (lbd need not run). Expired drains are not \
            shown; they are dropped from the file at its next change.
            """
    )

    @Flag(
        help:
            "Print JSON: {\"drains\": [{\"node\", \"alias\", \"by\", \"reason\", \"since\", \"until\", \"remaining\", \"explanation\"}]}."
    )
    var json = false

    @OptionGroup var options: DrainOptions

    func run() throws {
        let book = options.book
        let drains: [LBCore.Drain]
        do {
            drains = try book.load()
        } catch {
            throw DrainOptions.fail("drains", error)
        }
        let now = book.now
        print(
            json ? DrainListing.json(drains, now: now) : DrainListing.table(drains, now: now), terminator: "")
    }
}
