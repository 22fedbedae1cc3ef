import Foundation

/// `/service`: the lbd instances of the partition (role, heartbeat or lease, version, uptime),
/// the duration of the evaluation cycles over the window, SNMP failures by cause, DNS publish
/// failures by place, and the reloads and takeovers.
enum ServicePage {
    /// The most events one page lists: the newest ones.
    static let maximumEvents = 500

    static func render(
        instance: InstanceStatus, history: DashboardHistory<ServiceHistory>, window: DashboardWindow,
        now: Date
    ) -> String {
        var body = "<h1>Service</h1><h2>Instances</h2>" + instances(instance, now: now)
        body += "<h2>Cycle duration</h2>" + DashboardPage.windowLinks(path: "/service", current: window)
        switch history {
        case .off:
            body += AliasPage.historyOff("cycles")
        case .unavailable(let why):
            body += AliasPage.historyUnavailable("cycles", why)
        case .loaded(let history):
            body += cycleChart(history)
            body +=
                "<h2>SNMP failures by cause</h2>"
                + counts(
                    history.cycles.map(\.pollFailures), chart: "poll-failures",
                    title: "SNMP failures by cause", none: "No SNMP failure in this window.")
            body +=
                "<h2>DNS publish failures</h2>"
                + counts(
                    history.cycles.map(\.publishFailures), chart: "publish-failures",
                    title: "Publish failures by place", none: "No publish failure in this window.")
            body += "<h2>Reloads and takeovers</h2>" + events(history.events)
        }
        return DashboardPage.render(title: "Service", body: body)
    }

    private static func instances(_ instance: InstanceStatus, now: Date) -> String {
        let leadership = instance.leadership
        let age = leadership.age.map { DashboardTime.duration($0) } ?? "—"
        let ageLabel = leadership.mode == "lease" ? "lease renewed" : "heartbeat age"
        var table = """
            <table data-table="instances"><thead><tr><th>Instance</th><th>Role</th><th>Leadership</th>\
            <th>Version</th><th>Up</th><th>Last round</th></tr></thead><tbody>
            """
        let lastRound =
            instance.lastRound.map {
                HTMLText.escape(DashboardTime.withAge($0.finishedAt, now: now))
                    + "<br><span class=\"muted\">\($0.aliasesEvaluated) evaluated, \($0.published) published, "
                    + "\($0.failed) failed</span>"
            } ?? "<span class=\"muted\">none yet</span>"
        table += """
            <tr data-instance="\(HTMLText.escape(instance.instance))"><td><strong>\(HTMLText.escape(instance.instance))</strong> (this one)</td>\
            <td>\(HTMLText.escape(leadership.role.rawValue))\(leadership.since.map { "<br><span class=\"muted\">since \(HTMLText.escape(DashboardTime.full($0)))</span>" } ?? "")</td>\
            <td>\(HTMLText.escape(leadership.mode)); \(ageLabel) \(HTMLText.escape(age))\
            \(leadership.fencingToken.map { "; fencing token \($0)" } ?? "")<br>\
            <span class="muted">\(HTMLText.escape(leadership.reason))</span></td>\
            <td>\(HTMLText.escape(instance.version))</td>\
            <td>\(HTMLText.escape(DashboardTime.duration(now.timeIntervalSince(instance.startedAt))))</td>\
            <td>\(lastRound)</td></tr>

            """
        if let peer = leadership.peer {
            let role = leadership.role == .active ? "standby (as far as known)" : "active (as far as known)"
            table += """
                <tr data-instance="\(HTMLText.escape(peer))"><td>\(HTMLText.escape(peer)) (peer)</td>\
                <td>\(role)</td><td class="muted">seen through the \(HTMLText.escape(leadership.mode))</td>\
                <td class="muted">—</td><td class="muted">—</td><td class="muted">—</td></tr>

                """
        }
        table += "</tbody></table>"
        return table + """
            <dl><dt>Partition</dt><dd>\(HTMLText.escape(instance.partition ?? "every alias"))</dd>\
            <dt>Aliases</dt><dd>\(instance.aliasCount)</dd>\
            <dt>Configuration</dt><dd>\(HTMLText.escape(instance.configPath)) \
            <span class="muted">sha256 \(HTMLText.escape(String(instance.configDigest.prefix(16))))…</span></dd></dl>
            """
    }

    private static func cycleChart(_ history: ServiceHistory) -> String {
        guard !history.cycles.isEmpty else {
            return "<p class=\"empty\" data-empty=\"cycles\">No history yet in this window.</p>"
        }
        let points = history.cycles.sorted { $0.at < $1.at }.map {
            SVGLineChart.Point(at: $0.at, value: $0.duration)
        }
        return SVGLineChart(
            name: "cycles", title: "Cycle duration", from: history.from, to: history.to,
            series: [.init(name: "cycle duration", points: points)], unit: "seconds"
        ).render()
    }

    /// A bar per key, the counts summed over the window, largest first.
    private static func counts(_ perCycle: [[String: Int]], chart: String, title: String, none: String)
        -> String
    {
        var totals: [String: Int] = [:]
        for counts in perCycle { totals.merge(counts, uniquingKeysWith: +) }
        let bars = totals.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        guard !bars.isEmpty else { return "<p class=\"empty\" data-empty=\"\(chart)\">\(none)</p>" }
        return SVGBarChart(
            name: chart, title: title,
            bars: bars.map { .init(label: $0.key, value: Double($0.value), text: String($0.value)) },
            maximum: nil
        ).render()
    }

    private static func events(_ events: [ServiceEvent]) -> String {
        guard !events.isEmpty else {
            return "<p class=\"empty\" data-empty=\"events\">No reload or takeover in this window.</p>"
        }
        var table = """
            <table data-table="events"><thead><tr><th>Time</th><th>What</th><th>Instance</th><th>Detail</th>\
            </tr></thead><tbody>
            """
        for event in events.sorted(by: { $0.at > $1.at }).prefix(maximumEvents) {
            table += """
                <tr data-event="\(HTMLText.escape(event.kind))"><td>\(HTMLText.escape(DashboardTime.full(event.at)))</td>\
                <td>\(HTMLText.escape(event.kind))</td><td>\(HTMLText.escape(event.instance))</td>\
                <td>\(HTMLText.escape(event.detail))</td></tr>

                """
        }
        return table + "</tbody></table>"
    }
}
