import Foundation
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// The dashboards in a real browser: headless Chromium loads each page from a running server
/// holding 31 days of history, and the test checks the screenshot, every chart's series and
/// point counts in the DOM the browser built, and that the page logged nothing to the console
/// (a script blocked by the policy, a resource refused, a parse error would).
///
/// `LB_WRITE_SCREENSHOTS=DIR` also writes each screenshot to DIR (docs/images for the README).
@Suite(.serialized) struct DashboardBrowserTests {
    @Test func everyDashboardRendersInChromiumWithItsChartsAndNoConsoleMessage() async throws {
        guard let chromium = Peers.chromium() else { return }
        let fixture = try await DashboardFixture.make()
        let server = try await DashboardServer.start(sources: fixture.sources(), now: DashboardFixture.now)
        let now = DashboardFixture.now
        let hour = DashboardWindow.hour.interval(endingAt: now)
        let www = try await fixture.store.aliasHistory("www.example.org", from: hour.from, to: hour.to)
        var expectedLoad: [String: Int] = [:]
        for sample in www.loads where sample.failure == nil { expectedLoad[sample.node, default: 0] += 1 }
        let day = DashboardWindow.day.interval(endingAt: now)
        let cycles = try await fixture.store.serviceHistory(from: day.from, to: day.to).cycles.count

        let index = try await page(server, "/", chromium: chromium, screenshot: "dashboard-index")
        #expect(DashboardMarkup.count("<tr data-alias=", in: index.dom) == 6)
        #expect(index.dom.contains("data-status=\"none-usable\""))
        #expect(!index.dom.contains("<img"))

        let alias = try await page(
            server, "/aliases/www.example.org?window=1h", chromium: chromium, screenshot: "dashboard-alias")
        let loadChart = try #require(DashboardMarkup.chart("load", in: alias.dom))
        #expect(DashboardMarkup.series(loadChart) == expectedLoad)
        #expect(expectedLoad["n1.example.org"] == 12)
        let share = try #require(DashboardMarkup.chart("share", in: alias.dom))
        #expect(Set(DashboardMarkup.bars(share).keys) == Set(DashboardFixture.webNodes))

        let month = try await page(server, "/aliases/www.example.org?window=30d", chromium: chromium)
        let monthLoad = try #require(DashboardMarkup.chart("load", in: month.dom))
        #expect(DashboardMarkup.series(monthLoad).values.allSatisfy { $0 == SVGLineChart.maximumPoints })

        let decisions = try await page(
            server, "/aliases/www.example.org/decisions?window=1h", chromium: chromium,
            screenshot: "dashboard-decisions")
        #expect(DashboardMarkup.count("<tr data-decision=", in: decisions.dom) == www.decisions.count)

        let service = try await page(server, "/service", chromium: chromium, screenshot: "dashboard-service")
        let cycleChart = try #require(DashboardMarkup.chart("cycles", in: service.dom))
        #expect(DashboardMarkup.series(cycleChart) == ["cycle duration": cycles])
        #expect(DashboardMarkup.chart("poll-failures", in: service.dom) != nil)
        #expect(DashboardMarkup.chart("publish-failures", in: service.dom) != nil)

        let hostile = try await page(
            server, "/aliases/" + HTMLText.urlComponent(DashboardFixture.hostileAlias) + "?window=1d",
            chromium: chromium)
        #expect(hostile.dom.contains("evil&lt;script&gt;alert(1)&lt;/script&gt;.example.org"))
        #expect(!hostile.dom.contains("<script"))
        #expect(!hostile.dom.contains("<img"))
        let hostileLoad = try #require(DashboardMarkup.chart("load", in: hostile.dom))
        #expect(DashboardMarkup.series(hostileLoad)[DashboardFixture.hostileNode] == 12)

        let unknown = try await page(server, "/aliases/nowhere.example.org", chromium: chromium)
        #expect(unknown.dom.contains("<h1>Unknown alias</h1>"))
        try await server.stop()
    }

    @Test func pagesCarryAPolicyThatForbidsScriptsAndAnUnknownAliasIsNotFound() async throws {
        let fixture = try await DashboardFixture.make(withHistory: false)
        let server = try await DashboardServer.start(
            sources: fixture.sources(history: false), now: DashboardFixture.now)
        for path in [
            "/", "/?q=www&status=degraded", "/aliases/www.example.org", "/aliases/WWW.Example.org.",
            "/aliases/www.example.org/decisions?window=30d", "/service?window=1h",
        ] {
            let answer = try await RawHTTP.send(port: server.port, target: path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.headers["content-type"] == "text/html; charset=utf-8")
            #expect(answer.headers["content-security-policy"] == DashboardPage.contentSecurityPolicy)
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            #expect(answer.text.contains("</html>"))
        }
        for path in [
            "/aliases/nowhere.example.org", "/aliases/nowhere.example.org/decisions",
            "/aliases/%3Cscript%3E",
        ] {
            let answer = try await RawHTTP.send(port: server.port, target: path)
            #expect(answer.status == 404, "\(path)")
            #expect(answer.text.contains("Unknown alias"))
            #expect(!answer.text.contains("<script>"))
            #expect(answer.headers["content-security-policy"] == DashboardPage.contentSecurityPolicy)
        }
        try await server.stop()
    }

    private func page(
        _ server: DashboardServer, _ path: String, chromium: String, screenshot: String? = nil
    ) async throws -> BrowserPage {
        let page = try await BrowserPage.load(server.baseURL + path, chromium: chromium)
        #expect(Array(page.screenshot.prefix(8)) == BrowserPage.pngSignature, "\(path)")
        #expect(page.screenshot.count > 10_000, "\(path): \(page.screenshot.count) bytes")
        #expect(page.console.isEmpty, "\(path): \(page.console)")
        #expect(page.dom.contains("</html>"), "\(path)")
        if let screenshot, let directory = ProcessInfo.processInfo.environment["LB_WRITE_SCREENSHOTS"] {
            try page.screenshot.write(
                to: URL(fileURLWithPath: directory).appendingPathComponent("\(screenshot).png"))
        }
        return page
    }
}

/// The dashboards of a real `lbd run` (in-process SNMP agents, its own history store), as
/// Chromium shows them once a few rounds are recorded.
@Suite(.serialized) struct DashboardRunningLBDTests {
    @Test func aRunningLBDServesEveryDashboardToChromium() async throws {
        guard let chromium = Peers.chromium() else { return }
        let fixture = try await MetricsEndpointTests.Fixture.start()
        let port = fixture.lbd.httpPort
        let www = MetricsEndpointTests.www
        // Polled every second: wait (at most 30 s) until the history holds a few rounds.
        var points: [String: Int] = [:]
        for _ in 0..<60 {
            let answer = try? await RawHTTP.send(port: port, target: "/aliases/\(www)?window=1h")
            let html = answer.map { String(decoding: $0.body, as: UTF8.self) } ?? ""
            points = DashboardMarkup.chart("load", in: html).map(DashboardMarkup.series) ?? [:]
            if points.count == 3 && points.values.allSatisfy({ $0 >= 3 }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(points.count == 3, "\(points)")
        for path in ["/", "/aliases/\(www)?window=1h", "/aliases/\(www)/decisions", "/service?window=1h"] {
            let page = try await BrowserPage.load("http://127.0.0.1:\(port)\(path)", chromium: chromium)
            #expect(Array(page.screenshot.prefix(8)) == BrowserPage.pngSignature, "\(path)")
            #expect(page.console.isEmpty, "\(path): \(page.console)")
            #expect(
                page.dom.contains(path.hasPrefix("/service") ? "data-table=\"instances\"" : www), "\(path)")
        }
        let alias = try await BrowserPage.load(
            "http://127.0.0.1:\(port)/aliases/\(www)?window=1h", chromium: chromium)
        let series = DashboardMarkup.series(try #require(DashboardMarkup.chart("load", in: alias.dom)))
        #expect(Set(series.keys) == ["127.0.0.2", "127.0.0.3", "127.0.0.4"])
        #expect(DashboardMarkup.chart("share", in: alias.dom) != nil)
        let service = try await BrowserPage.load(
            "http://127.0.0.1:\(port)/service?window=1h", chromium: chromium)
        #expect(DashboardMarkup.chart("cycles", in: service.dom) != nil)
        try await fixture.stop()
    }
}
