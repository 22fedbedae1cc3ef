import Foundation
import Hummingbird
import NIOCore

/// The JSON API under `/api/v1` (docs/api.md, docs/openapi.yaml): the aliases, one alias's
/// decision and history, a node. `/api/v1/instance` is the server's own (`HTTPService`).
///
/// Read-only, and it shows no secret: only names, addresses, loads, codes and sentences built
/// from them, never a configuration value that is a key or a password.
public struct APIRoutes: HTTPRoutes {
    private let sources: DaemonStatusSources
    private let maximumHistoryWindow: TimeInterval
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - maximumHistoryWindow: the longest history window answered (the history's retention).
    ///   - now: the end of a history window when the request gives none.
    public init(
        sources: DaemonStatusSources, maximumHistoryWindow: TimeInterval = 30 * 86_400,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.sources = sources
        self.maximumHistoryWindow = maximumHistoryWindow
        self.now = now
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.get("api/v1/aliases") { _, _ in
            try await Self.answer { () async throws(APIError) in try await aliases() }
        }
        router.get("api/v1/aliases/:alias") { _, context in
            let name = context.parameters.get("alias") ?? ""
            return try await Self.answer { () async throws(APIError) in try await alias(name) }
        }
        router.get("api/v1/aliases/:alias/history") { request, context in
            let name = context.parameters.get("alias") ?? ""
            let query = request.uri.queryParameters
            let from = query.get("from")
            let to = query.get("to")
            return try await Self.answer { () async throws(APIError) in
                try await history(name, from: from, to: to)
            }
        }
        router.get("api/v1/nodes/:node") { _, context in
            let name = context.parameters.get("node") ?? ""
            return try await Self.answer { () async throws(APIError) in try await node(name) }
        }
    }

    func aliases() async throws(APIError) -> AliasList {
        let configuration = await sources.configuration()
        let evaluations = await sources.evaluations()
        var list: [AliasSummary] = []
        for alias in configuration.servedAliases.sorted(by: { $0.name < $1.name }) {
            list.append(
                AliasSummary(
                    alias, evaluation: evaluations[alias.name],
                    publishedRecords: await sources.publishedRecords(alias.name)))
        }
        return AliasList(aliases: list)
    }

    func alias(_ name: String) async throws(APIError) -> AliasDetail {
        let alias = try await served(name)
        return AliasDetail(
            alias, evaluation: await sources.evaluations()[alias.name],
            publishedRecords: await sources.publishedRecords(alias.name))
    }

    func history(_ name: String, from: String?, to: String?) async throws(APIError) -> AliasHistoryAnswer {
        let alias = try await served(name)
        let window = try HistoryWindow(from: from, to: to, maximum: maximumHistoryWindow, now: now())
        guard let store = sources.history else {
            throw APIError(
                error: "history_off",
                message: "the history is off on this instance: no membership or load is kept")
        }
        do {
            return AliasHistoryAnswer(
                try await store.aliasHistory(alias.name, from: window.from, to: window.to))
        } catch {
            // The store's message names the store, never its password.
            throw APIError(error: "history_failed", message: error.description)
        }
    }

    func node(_ name: String) async throws(APIError) -> NodeDetail {
        let configuration = await sources.configuration()
        guard
            let node = NodeDetail(
                node: name, aliases: configuration.servedAliases, evaluations: await sources.evaluations())
        else {
            throw .notFound("no alias served here has '\(Self.shown(name))' as a member")
        }
        return node
    }

    private func served(_ name: String) async throws(APIError) -> AliasConfiguration {
        guard let alias = await sources.configuration().servedAlias(named: name) else {
            throw .notFound("no alias '\(Self.shown(name))' is served here")
        }
        return alias
    }

    /// At most 80 characters of what the client sent, control characters as `?`.
    private static func shown(_ text: String) -> String {
        String(
            text.unicodeScalars.prefix(80).map {
                $0.properties.generalCategory == .control ? "?" : Character($0)
            })
    }

    private static func answer<T: Encodable>(_ body: () async throws(APIError) -> T) async throws -> Response
    {
        let value: T
        do throws(APIError) {
            value = try await body()
        } catch {
            return try json(error.status, error)
        }
        return try json(.ok, value)
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        var bytes = try InstanceStatus.makeEncoder().encode(value)
        bytes.append(0x0A)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
