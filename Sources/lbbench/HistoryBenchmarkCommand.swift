import ArgumentParser
import Foundation
import LBCore
import LBDaemonKit

/// `lbbench history`: fills a SQLite history with a month at CERN's scale (625 aliases, 2,237
/// memberships, one evaluation per alias every 300 s), maintained daily as lbd does, then
/// measures the 30-day alias history query, the alias page, and the file's size.
struct HistoryBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Fill 30 days of history at CERN's scale into SQLite; time the alias page and its query.")

    @Option(help: "Aliases.")
    var aliases = 625

    @Option(help: "Memberships (alias, node pairs), spread over the aliases.")
    var memberships = 2_237

    @Option(help: "Days of history.")
    var days = 30

    @Option(help: "Seconds between two evaluations of an alias.")
    var interval = 300

    @Option(help: "Alias history queries (and page renders) to time.")
    var queries = 200

    @Option(help: "Where to put history.sqlite (default: a new temporary directory, removed after).")
    var directory: String?

    @Option(
        help:
            "Evaluations per on/off block of a node's schedule (12: it enters or leaves every few hours; 1: almost every evaluation)."
    )
    var block = 12

    @Option(help: "Seed of the synthetic fleet.")
    var seed: UInt64 = 2_237

    func validate() throws {
        guard (1...10_000).contains(aliases) else { throw ValidationError("--aliases must be 1...10000") }
        guard memberships >= aliases, memberships <= 100_000 else {
            throw ValidationError("--memberships must be from --aliases to 100000")
        }
        guard (1...400).contains(days) else { throw ValidationError("--days must be 1...400") }
        guard (10...3_600).contains(interval) else { throw ValidationError("--interval must be 10...3600") }
        guard (1...720).contains(block) else { throw ValidationError("--block must be 1...720") }
        guard (1...100_000).contains(queries) else { throw ValidationError("--queries must be 1...100000") }
    }

    func run() async throws {
        let folder =
            directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-history-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("history.sqlite").path
        try? FileManager.default.removeItem(atPath: path)
        defer { if directory == nil { try? FileManager.default.removeItem(at: folder) } }
        let evaluations = days * 86_400 / interval
        let end = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let start = end.addingTimeInterval(-Double(evaluations * interval))
        let synthetic = SyntheticHistory(
            aliasCount: aliases, memberships: memberships, start: start, interval: Int64(interval),
            evaluations: evaluations, block: block, seed: seed)
        let store = try SQLiteHistoryStore(path: path)
        print(
            "# lbbench history on \(ProcessInfo.processInfo.activeProcessorCount) cores: \(aliases) aliases, \(memberships) memberships, every \(interval) s, \(days) days = \(evaluations * memberships) member samples"
        )
        print(
            "# file: \(path) (raw window 2 days, 5-minute roll-up, retention 30 days; maintained once a simulated day)"
        )
        print("# membership schedule: blocks of \(block) evaluations")

        let fillStarted = ContinuousClock.now
        var maintenance = Duration.zero
        var nextMaintenance = start.addingTimeInterval(86_400)
        for step in 0..<evaluations {
            try await store.record(synthetic.records(step: step))
            let now = synthetic.start.addingTimeInterval(Double(step * interval))
            if now >= nextMaintenance {
                let started = ContinuousClock.now
                try await store.maintain(now: now)
                maintenance += ContinuousClock.now - started
                nextMaintenance = nextMaintenance.addingTimeInterval(86_400)
            }
            if step > 0, step % (evaluations / 10 > 0 ? evaluations / 10 : 1) == 0 {
                let elapsed = seconds(ContinuousClock.now - fillStarted)
                print(String(format: "  %3d%% filled after %.0f s", step * 100 / evaluations, elapsed))
            }
        }
        let started = ContinuousClock.now
        try await store.maintain(now: end)
        maintenance += ContinuousClock.now - started
        let fill = seconds(ContinuousClock.now - fillStarted)
        let samples = Double(evaluations * memberships)
        print(
            String(
                format:
                    "fill: %.0f s for %.0f samples = %.0f samples/s (%.0f evaluations/s), of which %.1f s maintenance",
                fill, samples, samples / fill, Double(evaluations * aliases) / fill, seconds(maintenance)))
        let size = store.sizeOnDisk()
        print(
            String(
                format: "size on disk: %.1f MB (%.1f bytes per member sample)", Double(size) / 1e6,
                Double(size) / samples))

        var random = SeededRandomNumberGenerator(seed: seed)
        var queryTimes: [Double] = []
        var renderTimes: [Double] = []
        var pageTimes: [Double] = []
        var rows = 0
        var htmlBytes = 0
        for _ in 0..<queries {
            let alias = synthetic.aliases[Int(random.next() % UInt64(synthetic.aliases.count))]
            let configuration = AliasConfiguration(name: alias.name, members: alias.members.map(\.node))
            let queryStarted = ContinuousClock.now
            let history = try await store.aliasHistory(
                alias.name, from: end.addingTimeInterval(-30 * 86_400), to: end)
            let queried = ContinuousClock.now
            let html = AliasPageRenderer.render(alias: configuration, history: history, now: end)
            let rendered = ContinuousClock.now
            queryTimes.append(milliseconds(queried - queryStarted))
            renderTimes.append(milliseconds(rendered - queried))
            pageTimes.append(milliseconds(rendered - queryStarted))
            rows += history.loads.count
            htmlBytes += html.utf8.count
        }
        print(
            String(
                format: "aliasHistory 30 days: p50 %.1f ms, p99 %.1f ms (%d queries, %.0f load samples each)",
                percentile(queryTimes, 0.5), percentile(queryTimes, 0.99), queries,
                Double(rows) / Double(queries)))
        print(
            String(
                format:
                    "alias page render (30 days, from the history): p50 %.1f ms, p99 %.1f ms (%.0f kB of HTML)",
                percentile(renderTimes, 0.5), percentile(renderTimes, 0.99),
                Double(htmlBytes) / Double(queries) / 1e3))
        print(
            String(
                format: "alias page, query + render: p50 %.1f ms, p99 %.1f ms", percentile(pageTimes, 0.5),
                percentile(pageTimes, 0.99)))
        try await checkShares(store: store, synthetic: synthetic)
        try store.close()
    }

    /// The correctness check at full scale: every node's share of time behind its alias,
    /// as the store answers it over the alias's whole run, against the share known by
    /// construction.
    private func checkShares(store: SQLiteHistoryStore, synthetic: SyntheticHistory) async throws {
        var checked = 0
        var wrong = 0
        var largestError = 0.0
        for alias in synthetic.aliases {
            let window = synthetic.window(alias)
            let shares = try await store.aliasHistory(alias.name, from: window.from, to: window.to)
                .shareBehindAlias()
            for member in alias.members {
                let error = abs((shares[member.node] ?? 0) - member.share)
                largestError = max(largestError, error)
                checked += 1
                if error > 1e-9 {
                    wrong += 1
                    if wrong <= 5 {
                        print(
                            "WRONG share: \(alias.name) \(member.node): \(shares[member.node] ?? 0), expected \(member.share)"
                        )
                    }
                }
            }
        }
        print(
            "shares behind the alias over the whole run: \(checked) memberships of \(synthetic.aliases.count) aliases checked, \(wrong) wrong, largest error \(largestError)"
        )
        if wrong > 0 { throw ExitCode(1) }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func milliseconds(_ duration: Duration) -> Double { seconds(duration) * 1000 }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}
