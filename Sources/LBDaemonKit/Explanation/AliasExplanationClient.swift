import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Asks a running lbd for one alias's decision (`GET /api/v1/aliases/{alias}`), the instance
/// that made it (`/api/v1/instance`) and, for an unknown alias, the aliases it serves: what
/// `lbd explain` does first.
///
/// Bounded as `InstanceStatusClient`: a short timeout, no redirect, a body cap. Sends the bearer
/// token when given one (`http.token_file` on the server).
public struct AliasExplanationClient: Sendable {
    /// What an answer may weigh: a decision of a few hundred members, or the alias list.
    public static let bodyLimit = 8 << 20

    /// The base URL (`http://HOST:PORT`), without a trailing slash.
    public let baseURL: String
    public let token: String?
    /// Seconds each request may take.
    public let timeout: Double

    public init(baseURL: String, token: String? = nil, timeout: Double = 5) {
        self.baseURL = InstanceStatusClient(baseURL: baseURL).baseURL
        self.token = token
        self.timeout = timeout
    }

    /// What the running lbd said about an alias.
    public enum Answer: Sendable {
        /// Its decision, the instance's name (nil when it did not say), and the JSON as it came.
        case decision(AliasDetail, instance: String?, json: [UInt8])
        /// It serves no such alias; these are the ones it serves.
        case unknown(served: [String])
    }

    public func explain(_ alias: String) async throws(AliasExplanationError) -> Answer {
        let path = "/api/v1/aliases/" + Self.escaped(alias)
        let (status, body) = try await get(path)
        if status == 404 {
            let (listStatus, listBody) = try await get("/api/v1/aliases")
            guard listStatus == 200 else {
                throw .httpStatus(url: baseURL + "/api/v1/aliases", status: listStatus)
            }
            let list: AliasList = try decode(AliasList.self, listBody, path: "/api/v1/aliases")
            return .unknown(served: list.aliases.map(\.alias))
        }
        guard status == 200 else { throw .httpStatus(url: baseURL + path, status: status) }
        let detail: AliasDetail = try decode(AliasDetail.self, body, path: path)
        // The instance's name only completes the picture: its absence is no error.
        let instance = try? await get("/api/v1/instance")
        let name = instance.flatMap { status, body in
            status == 200
                ? try? InstanceStatus.makeDecoder().decode(InstanceStatus.self, from: Data(body)) : nil
        }?.instance
        return .decision(detail, instance: name, json: body)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], path: String)
        throws(AliasExplanationError) -> T
    {
        do {
            return try InstanceStatus.makeDecoder().decode(type, from: Data(body))
        } catch {
            throw .notAnAnswer(url: baseURL + path, detail: DecisionsFile.shown("\(error)"))
        }
    }

    private func get(_ path: String) async throws(AliasExplanationError) -> (Int, [UInt8]) {
        let url = baseURL + path
        let milliseconds = Int64(max(timeout, 0.1) * 1000)
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .milliseconds(milliseconds), read: .milliseconds(milliseconds))))
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let outcome: Result<(Int, [UInt8]), AliasExplanationError>
        do {
            let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
            let body = try await response.body.collect(upTo: Self.bodyLimit)
            outcome = .success((Int(response.status.code), [UInt8](buffer: body)))
        } catch {
            outcome = .failure(describe(error, url: url))
        }
        try? await client.shutdown()
        return try outcome.get()
    }

    private func describe(_ error: any Error, url: String) -> AliasExplanationError {
        switch error {
        case is NIOTooManyBytesError:
            return .notAnAnswer(url: url, detail: "the answer is larger than \(Self.bodyLimit >> 20) MiB")
        case let error as IOError:
            // "Connection refused", without NIO's wrapping of it.
            return .unreachable(url: url, detail: String(cString: strerror(error.errnoCode)))
        case let error as HTTPClientError
        where [.connectTimeout, .readTimeout, .deadlineExceeded].contains(error):
            return .unreachable(url: url, detail: "no answer within \(timeout) s")
        default:
            return .unreachable(url: url, detail: DecisionsFile.shown("\(error)"))
        }
    }

    /// `alias` as one path segment.
    static func escaped(_ alias: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return alias.addingPercentEncoding(withAllowedCharacters: allowed) ?? alias
    }
}

/// Why a running lbd did not explain an alias: the URL asked and what went wrong.
public enum AliasExplanationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing answered (refused, timed out, no route, name not resolved).
    case unreachable(url: String, detail: String)
    /// Something answered with another status than 200 (401: a token is needed or wrong).
    case httpStatus(url: String, status: Int)
    /// The answer is not lbd's (not JSON, a field missing, too large).
    case notAnAnswer(url: String, detail: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let detail):
            return "no lbd answers at \(url): \(detail)"
        case .httpStatus(let url, let status) where status == 401:
            return
                "\(url) answered HTTP 401: give the bearer token with --token-file (the server's http.token_file)"
        case .httpStatus(let url, let status):
            return "\(url) answered HTTP \(status): not an lbd, or an lbd without the JSON API"
        case .notAnAnswer(let url, let detail):
            return "\(url) did not answer an lbd decision: \(detail)"
        }
    }
}
