import Foundation
import LBCore
import Testing

@testable import LBDaemonKit

/// The dashboards rendered from values, without a server: what each page lists, the series and
/// points of each chart for a known history, the empty states, and hostile names kept as text.
@Suite struct DashboardPagesTests {
    let now = DashboardFixture.now

    private func aliasPage(
        _ fixture: DashboardFixture, _ name: String = "www.example.org", window: DashboardWindow = .hour,
        history: Bool = true
    ) async throws -> String {
        let alias = try #require(fixture.configuration.alias(named: name))
        let (from, to) = window.interval(endingAt: now)
        let state: DashboardHistory<AliasHistory> =
            history ? .loaded(try await fixture.store.aliasHistory(alias.name, from: from, to: to)) : .off
        return AliasPage.render(
            alias: alias, evaluation: fixture.evaluations[alias.name],
            published: ["embedded zone": ["192.0.2.1"]], history: state, window: window, now: now)
    }

    @Test func theIndexListsEveryServedAliasWithItsStatus() async throws {
        let fixture = try await DashboardFixture.make(withHistory: false)
        let html = IndexPage.render(
            aliases: fixture.configuration.servedAliases, evaluations: fixture.evaluations,
            query: DashboardQuery(), now: now)
        let expected: [(String, DashboardAliasStatus)] = [
            ("www.example.org", .healthy), ("api.example.org", .healthy), ("batch.example.org", .noneUsable),
            ("mail.example.org", .failing), ("new.example.org", .notEvaluated),
        ]
        for (alias, status) in expected {
            let row = try #require(html.range(of: "<tr data-alias=\"\(alias)\">"), "\(alias)")
            let rest = html[row.upperBound...].prefix { $0 != "\n" }
            #expect(rest.contains("data-status=\"\(status.rawValue)\""), "\(alias): \(rest)")
        }
        #expect(html.contains("<a href=\"/aliases/www.example.org\">www.example.org</a>"))
        #expect(html.contains("2 / 2"))
        #expect(html.contains("data-shown=\"6\""))
    }

    @Test func theSearchBoxAndTheStatusFilterWorkOnTheServer() async throws {
        let fixture = try await DashboardFixture.make(withHistory: false)
        func render(_ query: String) -> String {
            IndexPage.render(
                aliases: fixture.configuration.servedAliases, evaluations: fixture.evaluations,
                query: DashboardQuery(parsing: query), now: now)
        }
        let searched = render("q=WWW.example")
        #expect(DashboardMarkup.count("<tr data-alias=", in: searched) == 1)
        #expect(searched.contains("data-alias=\"www.example.org\""))
        #expect(searched.contains("value=\"WWW.example\""))
        let filtered = render("q=&status=none-usable")
        #expect(DashboardMarkup.count("<tr data-alias=", in: filtered) == 1)
        #expect(filtered.contains("data-alias=\"batch.example.org\""))
        #expect(filtered.contains("<option value=\"none-usable\" selected>"))
        let nothing = render("q=nowhere")
        #expect(nothing.contains("data-empty=\"aliases\""))
        #expect(!nothing.contains("<tr data-alias="))
    }

    @Test func theQueryIsDecodedAsAFormSendsIt() {
        let query = DashboardQuery(parsing: "q=a+b%2Fc%3D&status=&q=second&bad=%ZZ&window")
        #expect(query["q"] == "a b/c=")
        #expect(query["status"] == "")
        #expect(query["bad"] == "%ZZ")
        #expect(query["window"] == "")
        #expect(DashboardQuery(parsing: nil).values.isEmpty)
    }

    @Test func theWindowIsOneOfThreeAndDefaultsToADay() {
        #expect(DashboardWindow(parameter: "1h") == .hour)
        #expect(DashboardWindow(parameter: "1d") == .day)
        #expect(DashboardWindow(parameter: "30d") == .month)
        for other in [nil, "", "7d", "1H", "-1h", "1000000d"] {
            #expect(DashboardWindow(parameter: other) == .day)
        }
        let (from, to) = DashboardWindow.month.interval(endingAt: now)
        #expect(to.timeIntervalSince(from) == 30 * 86_400)
    }

    @Test func theLoadChartHasOneSeriesPerNodeWithOnePointPerUsableSample() async throws {
        let fixture = try await DashboardFixture.make()
        for window in [DashboardWindow.hour, .day] {
            let html = try await aliasPage(fixture, window: window)
            let chart = try #require(DashboardMarkup.chart("load", in: html))
            let (from, to) = window.interval(endingAt: now)
            let history = try await fixture.store.aliasHistory("www.example.org", from: from, to: to)
            var expected: [String: Int] = [:]
            for sample in history.loads where sample.failure == nil { expected[sample.node, default: 0] += 1 }
            #expect(DashboardMarkup.series(chart) == expected, "\(window)")
            #expect(Set(expected.keys) == Set(DashboardFixture.webNodes))
        }
        let hour = try #require(
            DashboardMarkup.chart("load", in: try await aliasPage(fixture, window: .hour)))
        // 12 evaluations in the hour; n4 timed out in 3 of them (steps 0, 5 and 10).
        #expect(DashboardMarkup.series(hour)["n1.example.org"] == 12)
        #expect(DashboardMarkup.series(hour)["n4.example.org"] == 9)
        // Time labels and a legend entry per node.
        #expect(hour.contains("data-axis=\"time\""))
        #expect(hour.contains(">11:00</text>") && hour.contains(">12:00</text>"))
        for node in DashboardFixture.webNodes { #expect(hour.contains(">\(node)</text>")) }
    }

    @Test func thirtyDaysAreDownsampledToAtMostFiveHundredPointsPerNode() async throws {
        let fixture = try await DashboardFixture.make()
        let html = try await aliasPage(fixture, window: .month)
        let chart = try #require(DashboardMarkup.chart("load", in: html))
        let series = DashboardMarkup.series(chart)
        #expect(series.count == 4)
        // 8,640 samples per node; every slice of the window holds some, each with a usable load.
        for node in DashboardFixture.webNodes {
            #expect(series[node] == SVGLineChart.maximumPoints, "\(node)")
        }
        #expect(html.contains("<strong>30 days</strong>"))
        #expect(html.contains("<a href=\"/aliases/www.example.org?window=1h\">1 hour</a>"))
    }

    @Test func downsamplingAveragesSlicesAndKeepsGaps() {
        let from = Date(timeIntervalSince1970: 0)
        let to = Date(timeIntervalSince1970: 1_000)
        let points = (0..<1_000).map {
            SVGLineChart.Point(
                at: Date(timeIntervalSince1970: Double($0)), value: $0 < 100 ? nil : Double($0 % 2))
        }
        let sampled = SVGLineChart.downsample(points, from: from, to: to, maximumPoints: 10)
        #expect(sampled.count == 10)
        #expect(sampled[0].value == nil)
        #expect(sampled[5].value == 0.5)
        let few = Array(points.prefix(10))
        #expect(SVGLineChart.downsample(few, from: from, to: to, maximumPoints: 10) == few)
    }

    @Test func theShareChartShowsEachNodesTimeBehindTheAlias() async throws {
        let fixture = try await DashboardFixture.make()
        let html = try await aliasPage(fixture, window: .day)
        let chart = try #require(DashboardMarkup.chart("share", in: html))
        let bars = DashboardMarkup.bars(chart)
        let (from, to) = DashboardWindow.day.interval(endingAt: now)
        let shares = try await fixture.store.aliasHistory("www.example.org", from: from, to: to)
            .shareBehindAlias()
        #expect(Set(bars.keys) == Set(DashboardFixture.webNodes))
        for node in DashboardFixture.webNodes {
            #expect(abs((bars[node] ?? -1) - (shares[node] ?? 0)) < 1e-9, "\(node)")
        }
        // Two nodes are behind the alias at any time.
        #expect(abs(bars.values.reduce(0, +) - 2) < 0.01)
    }

    @Test func theMembersNowAreListedWithTheirReasons() async throws {
        let fixture = try await DashboardFixture.make(withHistory: false)
        let html = try await aliasPage(fixture)
        #expect(html.contains("<tr data-member=\"n1.example.org\" class=\"chosen\">"))
        #expect(html.contains("<tr data-member=\"n2.example.org\">"))
        #expect(html.contains("usable, but 2 less loaded member(s) were chosen"))
        #expect(html.contains("among the 2 least loaded members"))
        #expect(html.contains("no answer"))
        #expect(html.contains("best 2"))
        #expect(html.contains("In DNS (embedded zone)"))
        #expect(html.contains("<a href=\"/aliases/www.example.org/decisions\">"))
    }

    @Test func emptyStatesSayWhetherTheHistoryIsOffOrEmpty() async throws {
        let fixture = try await DashboardFixture.make(withHistory: false)
        let off = try await aliasPage(fixture, history: false)
        #expect(off.contains("<p class=\"empty\" data-empty=\"load\">History is off"))
        #expect(off.contains("data-empty=\"share\""))
        #expect(DashboardMarkup.chart("load", in: off) == nil)
        let empty = try await aliasPage(fixture, history: true)
        #expect(empty.contains("<p class=\"empty\" data-empty=\"load\">No history yet in this window."))
        let unavailable = AliasPage.render(
            alias: fixture.configuration.aliases[0], evaluation: nil, published: [:],
            history: .unavailable("history store: disk <full>"), window: .day, now: now)
        #expect(unavailable.contains("The history cannot be read: history store: disk &lt;full&gt;"))
        #expect(unavailable.contains("data-empty=\"members\""))
        let decisions = DecisionsPage.render(
            alias: fixture.configuration.aliases[0], history: .off, window: .day, now: now)
        #expect(decisions.contains("data-empty=\"decisions\">History is off"))
        let service = ServicePage.render(instance: fixture.instance, history: .off, window: .day, now: now)
        #expect(service.contains("data-empty=\"cycles\">History is off"))
        #expect(service.contains("data-instance=\"lbd1.example.org\""))
    }

    @Test func theDecisionsTimelineShowsPolicyAndWhoEnteredAndLeft() async throws {
        let fixture = try await DashboardFixture.make()
        let alias = fixture.configuration.aliases[0]
        let (from, to) = DashboardWindow.hour.interval(endingAt: now)
        let history = try await fixture.store.aliasHistory(alias.name, from: from, to: to)
        let html = DecisionsPage.render(alias: alias, history: .loaded(history), window: .hour, now: now)
        #expect(!history.decisions.isEmpty)
        #expect(DashboardMarkup.count("<tr data-decision=", in: html) == history.decisions.count)
        let newest = try #require(history.decisions.last)
        // Newest first.
        let firstRow = try #require(html.range(of: "<tr data-decision="))
        #expect(html[firstRow.upperBound...].prefix(200).contains(DashboardTime.full(newest.at)))
        for node in newest.entered { #expect(html.contains("data-entered=\"\(node.node)\"")) }
        for node in newest.left { #expect(html.contains("data-left=\"\(node.node)\"")) }
        #expect(html.contains("best 2"))
        #expect(
            html.contains("usable, but 2 less loaded member(s) were chosen") || html.contains("no answer"))
    }

    @Test func theServicePageChartsCyclesAndCountsFailures() async throws {
        let fixture = try await DashboardFixture.make()
        let (from, to) = DashboardWindow.day.interval(endingAt: now)
        let history = try await fixture.store.serviceHistory(from: from, to: to)
        let html = ServicePage.render(
            instance: fixture.instance, history: .loaded(history), window: .day, now: now)
        let cycles = try #require(DashboardMarkup.chart("cycles", in: html))
        #expect(DashboardMarkup.series(cycles) == ["cycle duration": history.cycles.count])
        #expect(history.cycles.count == 288)
        let polls = DashboardMarkup.bars(try #require(DashboardMarkup.chart("poll-failures", in: html)))
        #expect(
            polls["timeout"] == Double(history.cycles.reduce(0) { $0 + ($1.pollFailures["timeout"] ?? 0) }))
        #expect(polls["wrong_digest"] == 6)
        let publishes = DashboardMarkup.bars(
            try #require(DashboardMarkup.chart("publish-failures", in: html)))
        #expect(publishes == ["internal view": 8])
        #expect(html.contains("<tr data-event=\"reload\">"))
        #expect(html.contains("&lt;no heartbeat from lbd2.example.org&gt;"))
        #expect(html.contains("data-instance=\"lbd2.example.org\""))
        #expect(html.contains("heartbeat age 4 s"))
        #expect(html.contains(ProductVersion.current))
        #expect(html.contains("3 d 1 h"))
    }

    @Test func hostileNamesAndTextsAreShownAsText() async throws {
        let fixture = try await DashboardFixture.make()
        let alias = try #require(fixture.configuration.alias(named: DashboardFixture.hostileAlias))
        let (from, to) = DashboardWindow.day.interval(endingAt: now)
        let history = try await fixture.store.aliasHistory(alias.name, from: from, to: to)
        let pages = [
            IndexPage.render(
                aliases: fixture.configuration.servedAliases, evaluations: fixture.evaluations,
                query: DashboardQuery(parsing: "q=%3Cscript"), now: now),
            AliasPage.render(
                alias: alias, evaluation: fixture.evaluations[alias.name], published: ["<v>": ["<r>"]],
                history: .loaded(history), window: .day, now: now),
            DecisionsPage.render(alias: alias, history: .loaded(history), window: .day, now: now),
            DashboardPage.notFound(alias: "<script>alert(9)</script>"),
        ]
        for html in pages {
            #expect(!html.contains("<script"), "\(html)")
            #expect(!html.contains("<img"))
            #expect(!html.contains("<b>"))
            #expect(!html.contains("onerror=alert(2)>"))
        }
        #expect(
            pages[0].contains("href=\"/aliases/evil%3Cscript%3Ealert%281%29%3C%2Fscript%3E.example.org\""))
        #expect(pages[0].contains("evil&lt;script&gt;alert(1)&lt;/script&gt;.example.org"))
        #expect(pages[1].contains("&lt;b&gt;bad&lt;/b&gt; &amp; &quot;worse&quot;"))
        let chart = try #require(DashboardMarkup.chart("load", in: pages[1]))
        #expect(DashboardMarkup.series(chart)[DashboardFixture.hostileNode] == 12)
        #expect(pages[2].contains("&lt;img src=y onerror=alert(3)&gt;"))
    }

    @Test func escapingCoversTheFiveCharactersAndControls() {
        #expect(
            HTMLText.escape("<a href=\"x\">'&'</a>")
                == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTMLText.escape("a\u{0}b\u{7}c\td") == "a\u{FFFD}b\u{FFFD}c\td")
        #expect(HTMLText.urlComponent("a b/ü?") == "a%20b%2F%C3%BC%3F")
    }

    @Test func thePolicyForbidsScriptsAndMatchesTheStyleSheet() {
        let policy = DashboardPage.contentSecurityPolicy
        #expect(policy.hasPrefix("default-src 'none'; style-src 'sha256-"))
        #expect(!policy.contains("script-src"))
        #expect(!policy.contains("unsafe"))
        let page = DashboardPage.render(title: "t", body: "")
        #expect(page.contains("<style>\(DashboardPage.styleSheet)</style>"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http"))
    }
}
