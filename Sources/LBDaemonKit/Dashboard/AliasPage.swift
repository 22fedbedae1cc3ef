import Foundation
import LBCore

/// `/aliases/{alias}`, the alias owner's page: the members now and why each is or is not behind
/// the alias, the load of every node over the chosen window (a line chart), and the share of that
/// window each node was behind the alias (a bar chart).
enum AliasPage {
    /// - Parameters:
    ///   - published: the records the alias has in DNS now, per place.
    ///   - history: the alias's history over `window`, ending at `now`.
    static func render(
        alias: AliasConfiguration, evaluation: AliasEvaluation?, published: [String: [String]],
        history: DashboardHistory<AliasHistory>, window: DashboardWindow, now: Date
    ) -> String {
        let path = "/aliases/\(HTMLText.urlComponent(alias.name))"
        let status = DashboardAliasStatus(evaluation: evaluation)
        var body = "<h1>\(HTMLText.escape(alias.name)) \(status.badge)</h1>"
        body += "<p><a href=\"\(path)/decisions\">Decisions timeline</a></p>"
        body += summary(alias, evaluation: evaluation, published: published, now: now)
        body += "<h2>Members now</h2>" + members(alias, evaluation: evaluation)
        body += "<h2>Load per node</h2>" + DashboardPage.windowLinks(path: path, current: window)
        body += loadChart(alias, history: history)
        body += "<h2>Share of time behind the alias</h2>" + shareChart(alias, history: history)
        return DashboardPage.render(title: alias.name, body: body)
    }

    private static func summary(
        _ alias: AliasConfiguration, evaluation: AliasEvaluation?, published: [String: [String]], now: Date
    ) -> String {
        let parameters = alias.parameters
        var items: [(String, String)] = [
            ("Partition", HTMLText.escape(alias.partition)),
            ("best_hosts", HTMLText.escape(parameters.bestHosts.description)),
            ("when_none_usable", HTMLText.escape(parameters.whenNoneUsable.rawValue)),
            ("Polling interval", "\(parameters.pollingInterval) s"),
        ]
        if let evaluation {
            let decision = evaluation.decision
            items.append(
                ("Last evaluation", HTMLText.escape(DashboardTime.withAge(evaluation.finishedAt, now: now))))
            items.append(("Policy applied", HTMLText.escape(policyLabel(decision))))
            items.append(
                ("Outcome", HTMLText.escape(evaluation.action) + " — " + HTMLText.escape(evaluation.reason)))
            for result in evaluation.results {
                if case .failed(let failure) = result.action {
                    items.append(
                        ("Failed: \(HTMLText.escape(result.target))", HTMLText.escape(failure.description)))
                }
            }
            for warning in decision.warnings {
                items.append(("Warning", HTMLText.escape(warning.description)))
            }
        } else {
            items.append(("Last evaluation", "<span class=\"muted\">not evaluated yet</span>"))
        }
        for place in published.keys.sorted() {
            let records = published[place] ?? []
            items.append(
                (
                    "In DNS (\(HTMLText.escape(place)))",
                    records.isEmpty
                        ? "<span class=\"empty\">no record</span>"
                        : records.map { HTMLText.escape($0) }.joined(separator: "<br>")
                ))
        }
        return "<dl>" + items.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    static func policyLabel(_ decision: Decision) -> String {
        AppliedPolicy(decision).dashboardLabel(bestHosts: decision.parameters.bestHosts)
    }

    private static func members(_ alias: AliasConfiguration, evaluation: AliasEvaluation?) -> String {
        guard let evaluation else {
            let names = alias.members.map { "<li>\(HTMLText.escape($0))</li>" }.joined()
            return
                "<p class=\"empty\" data-empty=\"members\">Not evaluated yet. Members: </p><ul>\(names)</ul>"
        }
        let bestHosts = evaluation.decision.parameters.bestHosts
        var table = """
            <table data-table="members"><thead><tr><th>Node</th><th>Addresses</th><th>Load or failure</th>\
            <th>Rank</th><th>Behind the alias</th><th>Why</th></tr></thead><tbody>
            """
        for member in evaluation.decision.members {
            let addresses = member.evaluation.addresses.map {
                HTMLText.escape($0.address.description) + " <span class=\"muted\">"
                    + HTMLText.escape(DecisionExplanation.outcomeDetail($0.outcome)) + "</span>"
            }
            table += """
                <tr data-member="\(HTMLText.escape(member.node))"\(member.isChosen ? " class=\"chosen\"" : "")>\
                <td>\(HTMLText.escape(member.node))</td>\
                <td>\(addresses.isEmpty ? "<span class=\"muted\">none</span>" : addresses.joined(separator: "<br>"))</td>\
                <td>\(HTMLText.escape(DecisionExplanation.stateDetail(member.evaluation.state)))</td>\
                <td>\(member.rank.map(String.init) ?? "—")</td>\
                <td>\(member.isChosen ? "yes" : "no")</td>\
                <td>\(HTMLText.escape(DecisionExplanation.detail(member, bestHosts: bestHosts)))</td></tr>

                """
        }
        return table + "</tbody></table>"
    }

    /// The nodes of the chart and bars: the configured members first, then any other node the
    /// history remembers (a member since removed).
    static func nodes(_ alias: AliasConfiguration, history: AliasHistory) -> [String] {
        var seen = Set(alias.members)
        var order = alias.members
        for node in history.loads.map(\.node) + history.memberships.map(\.node) where !seen.contains(node) {
            seen.insert(node)
            order.append(node)
        }
        return order
    }

    static func loadSeries(_ alias: AliasConfiguration, history: AliasHistory) -> [SVGLineChart.Series] {
        let byNode = Dictionary(grouping: history.loads, by: \.node)
        return nodes(alias, history: history).compactMap { node in
            guard let samples = byNode[node] else { return nil }
            // A sample without a usable load (a failure, or a load outside 1...99999) is a gap.
            return SVGLineChart.Series(
                name: node,
                points: samples.sorted { $0.at < $1.at }.map {
                    SVGLineChart.Point(at: $0.at, value: $0.failure == nil ? $0.load : nil)
                })
        }
    }

    private static func loadChart(_ alias: AliasConfiguration, history: DashboardHistory<AliasHistory>)
        -> String
    {
        switch history {
        case .off: return historyOff("load")
        case .unavailable(let why): return historyUnavailable("load", why)
        case .loaded(let history):
            let series = loadSeries(alias, history: history)
            guard !series.isEmpty else {
                return "<p class=\"empty\" data-empty=\"load\">No history yet in this window.</p>"
            }
            return SVGLineChart(
                name: "load", title: "Load per node of \(alias.name)", from: history.from, to: history.to,
                series: series, unit: "load (lower is better)"
            ).render()
        }
    }

    private static func shareChart(_ alias: AliasConfiguration, history: DashboardHistory<AliasHistory>)
        -> String
    {
        switch history {
        case .off: return historyOff("share")
        case .unavailable(let why): return historyUnavailable("share", why)
        case .loaded(let history):
            guard !history.loads.isEmpty || !history.memberships.isEmpty else {
                return "<p class=\"empty\" data-empty=\"share\">No history yet in this window.</p>"
            }
            let shares = history.shareBehindAlias()
            let bars = nodes(alias, history: history).map { node in
                let share = shares[node] ?? 0
                return SVGBarChart.Bar(label: node, value: share, text: "\(SVGNumber.format(share * 100)) %")
            }
            return SVGBarChart(
                name: "share", title: "Share of time behind \(alias.name)", bars: bars, maximum: 1
            ).render()
        }
    }

    static func historyOff(_ chart: String) -> String {
        "<p class=\"empty\" data-empty=\"\(chart)\">History is off on this lbd: there is nothing to chart.</p>"
    }

    static func historyUnavailable(_ chart: String, _ why: String) -> String {
        "<p class=\"empty\" data-empty=\"\(chart)\">The history cannot be read: \(HTMLText.escape(why))</p>"
    }
}
