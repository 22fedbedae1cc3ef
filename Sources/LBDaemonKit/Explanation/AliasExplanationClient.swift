import Foundation
import NIOHTTP1

/// Asks a running lbd for one alias's decision (`GET /api/v1/aliases/{alias}`), the instance
/// that made it (`/api/v1/instance`) and, for an unknown alias, the aliases it serves: what
/// `lbd explain` does first, with `RunningLBDClient`'s bounds (timeout, no redirect, a body cap).
public struct AliasExplanationClient: Sendable {
    /// What an answer may weigh: a decision of a few hundred members, or the alias list.
    public static let bodyLimit = 8 << 20

    private let client: RunningLBDClient

    /// The base URL (`http://HOST:PORT`), without a trailing slash.
    public var baseURL: String { client.baseURL }
    public var token: String? { client.token }
    /// Seconds each request may take.
    public var timeout: Double { client.timeout }

    public init(baseURL: String, token: String? = nil, timeout: Double = 5) {
        client = RunningLBDClient(baseURL: baseURL, token: token, timeout: timeout)
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
        if status == .notFound {
            let listPath = "/api/v1/aliases"
            let (listStatus, listBody) = try await get(listPath)
            guard listStatus == .ok else {
                throw .httpStatus(url: baseURL + listPath, status: Int(listStatus.code))
            }
            let list: AliasList = try decode(AliasList.self, listBody, path: listPath)
            return .unknown(served: list.aliases.map(\.alias))
        }
        guard status == .ok else { throw .httpStatus(url: baseURL + path, status: Int(status.code)) }
        let detail: AliasDetail = try decode(AliasDetail.self, body, path: path)
        // The instance's name only completes the picture: its absence is no error.
        let instance = try? await InstanceStatusClient(baseURL: baseURL, timeout: timeout, token: token)
            .fetch()
        return .decision(detail, instance: instance?.status.instance, json: body)
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

    private func get(_ path: String) async throws(AliasExplanationError) -> (HTTPResponseStatus, [UInt8]) {
        do {
            return try await client.get(path, upTo: Self.bodyLimit)
        } catch {
            switch error {
            case .unreachable(let detail):
                throw .unreachable(url: baseURL + path, detail: detail)
            case .tooLarge:
                throw .notAnAnswer(
                    url: baseURL + path, detail: "the answer is larger than \(Self.bodyLimit >> 20) MiB")
            }
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
