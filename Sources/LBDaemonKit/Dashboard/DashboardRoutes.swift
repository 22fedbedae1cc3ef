import Foundation
import Hummingbird
import NIOCore

/// The dashboards of lbd's HTTP server: `/` (every alias), `/aliases/{alias}` (the alias owner's
/// page), `/aliases/{alias}/decisions` and `/service`, as HTML pages with inline SVG charts.
///
/// Each request reads the `DaemonStatusSources` once and hands the values to a page's pure
/// `render`, so that what a page shows is testable without a server. Every response forbids
/// scripts and any resource from elsewhere (`DashboardPage.contentSecurityPolicy`).
public struct DashboardRoutes: HTTPRoutes {
    private let sources: DaemonStatusSources
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - sources: what the pages show.
    ///   - now: the wall clock that ends every chart's window and ages every time shown.
    public init(sources: DaemonStatusSources, now: @escaping @Sendable () -> Date = { Date() }) {
        self.sources = sources
        self.now = now
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in
            let configuration = await sources.configuration()
            return Self.page(
                IndexPage.render(
                    aliases: configuration.servedAliases, evaluations: await sources.evaluations(),
                    query: DashboardQuery(parsing: request.uri.query), now: now()))
        }
        router.get("aliases/{alias}") { request, context in
            guard let alias = await alias(context) else { return Self.notFound(context) }
            let window = DashboardWindow(parameter: DashboardQuery(parsing: request.uri.query)["window"])
            let at = now()
            return Self.page(
                AliasPage.render(
                    alias: alias, evaluation: await sources.evaluations()[alias.name],
                    published: await sources.publishedRecords(alias.name),
                    history: await aliasHistory(alias.name, window: window, now: at), window: window, now: at)
            )
        }
        router.get("aliases/{alias}/decisions") { request, context in
            guard let alias = await alias(context) else { return Self.notFound(context) }
            let window = DashboardWindow(parameter: DashboardQuery(parsing: request.uri.query)["window"])
            let at = now()
            return Self.page(
                DecisionsPage.render(
                    alias: alias, history: await aliasHistory(alias.name, window: window, now: at),
                    window: window, now: at))
        }
        router.get("service") { request, _ in
            let window = DashboardWindow(parameter: DashboardQuery(parsing: request.uri.query)["window"])
            let at = now()
            return Self.page(
                ServicePage.render(
                    instance: await sources.instance(),
                    history: await serviceHistory(window: window, now: at),
                    window: window, now: at))
        }
    }

    /// The served alias the request names (percent-encoded or not, any case); nil when none.
    private func alias(_ context: BasicRequestContext) async -> AliasConfiguration? {
        guard let raw = context.parameters.get("alias") else { return nil }
        return await sources.configuration().servedAlias(named: raw.removingPercentEncoding ?? raw)
    }

    private func aliasHistory(_ alias: String, window: DashboardWindow, now: Date) async
        -> DashboardHistory<AliasHistory>
    {
        guard let store = sources.history else { return .off }
        let (from, to) = window.interval(endingAt: now)
        do {
            return .loaded(try await store.aliasHistory(alias, from: from, to: to))
        } catch {
            return .unavailable(error.description)
        }
    }

    private func serviceHistory(window: DashboardWindow, now: Date) async -> DashboardHistory<ServiceHistory>
    {
        guard let store = sources.history else { return .off }
        let (from, to) = window.interval(endingAt: now)
        do {
            return .loaded(try await store.serviceHistory(from: from, to: to))
        } catch {
            return .unavailable(error.description)
        }
    }

    private static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!

    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: DashboardPage.contentSecurityPolicy,
                .xContentTypeOptions: "nosniff", Self.referrerPolicy: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private static func notFound(_ context: BasicRequestContext) -> Response {
        let raw = context.parameters.get("alias") ?? ""
        return page(DashboardPage.notFound(alias: raw.removingPercentEncoding ?? raw), status: .notFound)
    }
}
