import Foundation

/// `/`: every alias this lbd serves with its status, what it publishes and when it was last
/// evaluated, filtered on the server by the search box (`?q=`) and the status (`?status=`), so
/// that both work without JavaScript.
enum IndexPage {
    /// - Parameters:
    ///   - aliases: the served aliases, in configuration order.
    ///   - evaluations: the latest evaluation of each, by name.
    ///   - query: `q` (a part of the name, any case) and `status` (a `DashboardAliasStatus`).
    static func render(
        aliases: [AliasConfiguration], evaluations: [String: AliasEvaluation], query: DashboardQuery,
        now: Date
    ) -> String {
        let search = (query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let wanted = query["status"].flatMap(DashboardAliasStatus.init(rawValue:))
        let rows = aliases.map {
            ($0, DashboardAliasStatus(evaluation: evaluations[$0.name]))
        }
        let counts = Dictionary(grouping: rows, by: \.1).mapValues(\.count)
        let shown = rows.filter { alias, status in
            (search.isEmpty || alias.name.localizedCaseInsensitiveContains(search))
                && (wanted == nil || status == wanted)
        }
        var body = "<h1>Aliases</h1>"
        body += form(search: search, wanted: wanted, counts: counts, total: rows.count)
        body +=
            "<p class=\"muted\" data-shown=\"\(shown.count)\">\(shown.count) of \(rows.count) alias(es) shown.</p>"
        if shown.isEmpty {
            body +=
                "<p class=\"empty\" data-empty=\"aliases\">"
                + (rows.isEmpty ? "This lbd serves no alias." : "No alias matches.") + "</p>"
        } else {
            body += """
                <table data-table="aliases"><thead><tr><th>Alias</th><th>Status</th><th>Published</th>\
                <th>Usable / total</th><th>Partition</th><th>Last evaluation</th></tr></thead><tbody>
                """
            for (alias, status) in shown {
                body += row(alias, status: status, evaluation: evaluations[alias.name], now: now)
            }
            body += "</tbody></table>"
        }
        return DashboardPage.render(title: "Aliases", body: body)
    }

    private static func form(
        search: String, wanted: DashboardAliasStatus?, counts: [DashboardAliasStatus: Int], total: Int
    ) -> String {
        var options = "<option value=\"\">any status (\(total))</option>"
        for status in DashboardAliasStatus.allCases {
            options +=
                "<option value=\"\(status.rawValue)\"\(status == wanted ? " selected" : "")>"
                + "\(status.label) (\(counts[status] ?? 0))</option>"
        }
        return """
            <form method="get" action="/" role="search">\
            <label>Alias <input type="search" name="q" value="\(HTMLText.escape(search))" \
            placeholder="part of a name"></label> \
            <label>Status <select name="status">\(options)</select></label> \
            <button type="submit">Filter</button></form>
            """
    }

    private static func row(
        _ alias: AliasConfiguration, status: DashboardAliasStatus, evaluation: AliasEvaluation?, now: Date
    ) -> String {
        let link = "/aliases/\(HTMLText.urlComponent(alias.name))"
        let published: String
        let usable: String
        let last: String
        if let evaluation {
            let decision = evaluation.decision
            published =
                decision.publish.map { addresses in
                    addresses.isEmpty
                        ? "<span class=\"empty\">none</span>"
                        : addresses.map { HTMLText.escape($0.description) }.joined(separator: "<br>")
                } ?? "<span class=\"muted\">kept as it was</span>"
            usable = "\(decision.usableCount) / \(decision.members.count)"
            last = HTMLText.escape(DashboardTime.withAge(evaluation.finishedAt, now: now))
        } else {
            published = "<span class=\"muted\">—</span>"
            usable = "— / \(alias.members.count)"
            last = "<span class=\"muted\">never</span>"
        }
        return """
            <tr data-alias="\(HTMLText.escape(alias.name))"><td><a href="\(link)">\(HTMLText.escape(alias.name))</a></td>\
            <td>\(status.badge)</td><td>\(published)</td><td>\(usable)</td>\
            <td>\(HTMLText.escape(alias.partition))</td><td>\(last)</td></tr>

            """
    }
}
