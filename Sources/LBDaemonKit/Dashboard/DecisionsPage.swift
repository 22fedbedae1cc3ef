import Foundation

/// `/aliases/{alias}/decisions`: the evaluations that changed what the alias published or how it
/// decided, newest first: the policy applied, the addresses published, and the members that
/// entered or left, each with why.
enum DecisionsPage {
    /// The most changes one page lists: the newest ones.
    static let maximumRows = 1_000

    static func render(
        alias: AliasConfiguration, history: DashboardHistory<AliasHistory>, window: DashboardWindow, now: Date
    ) -> String {
        let path = "/aliases/\(HTMLText.urlComponent(alias.name))"
        var body = "<h1>Decisions of <a href=\"\(path)\">\(HTMLText.escape(alias.name))</a></h1>"
        body += DashboardPage.windowLinks(path: path + "/decisions", current: window)
        switch history {
        case .off: body += AliasPage.historyOff("decisions")
        case .unavailable(let why): body += AliasPage.historyUnavailable("decisions", why)
        case .loaded(let history):
            body += timeline(history.decisions, bestHosts: alias, now: now)
        }
        return DashboardPage.render(title: "Decisions of \(alias.name)", body: body)
    }

    private static func timeline(_ changes: [DecisionChange], bestHosts alias: AliasConfiguration, now: Date)
        -> String
    {
        guard !changes.isEmpty else {
            return "<p class=\"empty\" data-empty=\"decisions\">No change in this window.</p>"
        }
        let shown = changes.suffix(maximumRows).reversed()
        var table =
            "<p class=\"muted\">\(changes.count) change(s)"
            + (changes.count > shown.count ? ", the newest \(shown.count) shown" : "") + ".</p>"
        table += """
            <table data-table="decisions"><thead><tr><th>Time</th><th>Policy</th><th>Published</th>\
            <th>Entered</th><th>Left</th><th>Outcome</th></tr></thead><tbody>
            """
        for change in shown {
            let published =
                change.published.map { addresses in
                    addresses.isEmpty
                        ? "<span class=\"empty\">none</span>"
                        : addresses.map { HTMLText.escape($0) }.joined(separator: "<br>")
                } ?? "<span class=\"muted\">kept as it was</span>"
            table += """
                <tr data-decision="\(change.policy.rawValue)"><td>\(HTMLText.escape(DashboardTime.full(change.at)))</td>\
                <td>\(HTMLText.escape(change.policy.dashboardLabel(bestHosts: alias.parameters.bestHosts)))</td>\
                <td>\(published)</td><td>\(reasons(change.entered, "entered"))</td>\
                <td>\(reasons(change.left, "left"))</td><td>\(HTMLText.escape(change.action))</td></tr>

                """
        }
        return table + "</tbody></table>"
    }

    private static func reasons(_ nodes: [DecisionChange.NodeReason], _ kind: String) -> String {
        guard !nodes.isEmpty else { return "<span class=\"muted\">—</span>" }
        return nodes.map {
            "<div data-\(kind)=\"\(HTMLText.escape($0.node))\"><strong>\(HTMLText.escape($0.node))</strong>"
                + ($0.reason.isEmpty ? "" : ": \(HTMLText.escape($0.reason))") + "</div>"
        }.joined()
    }
}
