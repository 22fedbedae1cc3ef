import Foundation
import Hummingbird
import LBCore
import NIOCore

/// The drains in the API, when `http.drains` is on: `GET /api/v1/drains` lists them,
/// `POST /api/v1/drains` drains a node, `DELETE /api/v1/drains/{node}[?alias=ALIAS]` undrains.
///
/// The same `DrainBook` as `lbd drain`, so the same file, lock and audit line. Writes are let
/// through only on a server that asks for the bearer token (`HTTPService`); a write returns once
/// the engine has decided the node's aliases again.
public struct DrainRoutes: HTTPRoutes {
    /// The body of `POST /api/v1/drains`.
    public struct Request: Hashable, Sendable, Codable {
        public var node: String
        public var alias: String?
        /// A duration, `30m`, `2h30m`, `1d`; absent: until undrained.
        public var `for`: String?
        public var reason: String
        /// Who asks; `api` when absent.
        public var by: String?
    }

    /// The answer to a write: the drain made, or the ones removed.
    public struct Answer: Hashable, Sendable, Codable {
        public var drained: DrainListing.Entry?
        /// The drain of the same node and alias the new one replaced.
        public var replaced: DrainListing.Entry?
        public var undrained: [DrainListing.Entry]?
    }

    /// The largest body read.
    static let bodyLimit = 64 << 10

    private let book: DrainBook
    private let watcher: DrainWatcher?

    /// - Parameter watcher: told of each change, so that the engine applies it at once.
    public init(book: DrainBook, watcher: DrainWatcher?) {
        self.book = book
        self.watcher = watcher
    }

    public func allowsWrites(to path: String) -> Bool {
        path == "/api/v1/drains" || path.hasPrefix("/api/v1/drains/")
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.get("api/v1/drains") { [book] _, _ in
            try APIRoutes.json(
                .ok, DrainListing.Document(drains: DrainListing.entries(book.drains, now: book.now)))
        }
        router.post("api/v1/drains") { request, _ in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.bodyLimit)
            } catch {
                return try APIRoutes.json(
                    .contentTooLarge, APIError.badRequest("the body is larger than \(Self.bodyLimit) bytes"))
            }
            return try await answer { () async throws(APIError) in try await drain(Data(buffer: body)) }
        }
        router.delete("api/v1/drains/:node") { request, context in
            let node = context.parameters.get("node") ?? ""
            let alias = request.uri.queryParameters.get("alias")
            return try await answer { () async throws(APIError) in try await undrain(node, alias: alias) }
        }
    }

    func drain(_ body: Data) async throws(APIError) -> Answer {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: body)
        } catch {
            throw .badRequest(
                "the body must be JSON {\"node\", \"reason\", and optionally \"alias\", \"for\" (30m, 2h, 1d), \"by\"}: \(DrainFile.summary(of: error))"
            )
        }
        let now = book.now
        var until: Int?
        if let duration = request.for {
            do {
                until = now + (try DrainDuration.seconds(duration))
            } catch {
                throw .badRequest(error.description.replacingOccurrences(of: "--for", with: "for"))
            }
        }
        let drain = Drain(
            node: request.node, alias: request.alias, by: request.by ?? "api", reason: request.reason,
            since: now,
            until: until)
        let change: DrainChange
        do {
            change = try book.add(drain)
        } catch {
            throw Self.apiError(error)
        }
        await watcher?.check()
        return Answer(
            drained: DrainListing.Entry(drain, now: now),
            replaced: change.replaced.map { DrainListing.Entry($0, now: now) }, undrained: nil)
    }

    func undrain(_ node: String, alias: String?) async throws(APIError) -> Answer {
        let change: DrainChange
        do {
            change = try book.remove(node: node, alias: alias, by: "api")
        } catch {
            throw Self.apiError(error)
        }
        guard !change.removed.isEmpty else {
            throw .notFound(
                "\(String(node.prefix(80))) is not drained\(alias.map { " for \(String($0.prefix(80)))" } ?? "")"
            )
        }
        await watcher?.check()
        let now = book.now
        return Answer(
            drained: nil, replaced: nil, undrained: change.removed.map { DrainListing.Entry($0, now: now) })
    }

    private static func apiError(_ error: DrainBookError) -> APIError {
        if case .invalidDrain(let reason) = error { return .badRequest(reason) }
        return APIError(error: "drains_failed", message: error.description)
    }

    private func answer(_ body: () async throws(APIError) -> Answer) async throws -> Response {
        let value: Answer
        do throws(APIError) {
            value = try await body()
        } catch {
            return try APIRoutes.json(error.status, error)
        }
        return try APIRoutes.json(.ok, value)
    }
}
