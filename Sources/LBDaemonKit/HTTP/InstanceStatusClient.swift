import Foundation
import NIOHTTP1

/// Asks a running lbd for its `InstanceStatus` (`GET /api/v1/instance`): what `lbd status` does,
/// with `RunningLBDClient`'s bounds (timeout, no redirect, a body cap).
public struct InstanceStatusClient: Sendable {
    /// What an answer may weigh; a status is a few hundred bytes.
    public static let bodyLimit = 1 << 20

    private let client: RunningLBDClient

    /// The base URL (`http://HOST:PORT`), without a trailing slash.
    public var baseURL: String { client.baseURL }
    /// Seconds the whole request may take.
    public var timeout: Double { client.timeout }
    /// The bearer token sent (`http.token_file`'s content); nil sends none.
    var token: String? { client.token }

    public init(baseURL: String, timeout: Double = 5, token: String? = nil) {
        client = RunningLBDClient(baseURL: baseURL, token: token, timeout: timeout)
    }

    /// The URL to ask lbd at when it listens on `listen`: a wildcard address (`0.0.0.0`, `::`)
    /// listens on loopback too, so loopback is asked.
    public static func baseURL(listeningOn listen: ServerAddress, tls: Bool = false) -> String {
        let host: String
        switch listen.host {
        case "0.0.0.0", "": host = "127.0.0.1"
        case "::", "::0", "0:0:0:0:0:0:0:0": host = "::1"
        default: host = listen.host
        }
        return "\(tls ? "https" : "http")://\(ServerAddress(host: host, port: listen.port))"
    }

    /// The path of the instance endpoint.
    static let instancePath = "/api/v1/instance"

    /// The URL of the instance endpoint.
    public var instanceURL: String { baseURL + Self.instancePath }

    /// The status, and the JSON as it came.
    public func fetch() async throws(InstanceStatusFetchError) -> (status: InstanceStatus, json: [UInt8]) {
        let url = instanceURL
        let answer: (status: HTTPResponseStatus, body: [UInt8])
        do {
            answer = try await client.get(Self.instancePath, upTo: Self.bodyLimit)
        } catch {
            switch error {
            case .unreachable(let detail):
                throw InstanceStatusFetchError(url: url, code: .unreachable, detail: detail)
            case .tooLarge:
                throw InstanceStatusFetchError(
                    url: url, code: .notAnInstanceStatus, detail: "the answer is larger than 1 MiB")
            }
        }
        guard answer.status == .ok else {
            throw InstanceStatusFetchError(
                url: url, code: .httpStatus,
                detail: "HTTP \(answer.status.code) \(answer.status.reasonPhrase)")
        }
        do {
            return (
                try InstanceStatus.makeDecoder().decode(InstanceStatus.self, from: Data(answer.body)),
                answer.body
            )
        } catch {
            throw InstanceStatusFetchError(
                url: url, code: .notAnInstanceStatus, detail: Self.describe(decodingError: error))
        }
    }

    private static func describe(decodingError error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "no '\(path(context.codingPath + [key]))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "'\(path(context.codingPath))': \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not JSON" : "'\(path(context.codingPath))': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// Why `lbd status` got no status: the URL asked and what went wrong.
public struct InstanceStatusFetchError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// Nothing answered (refused, timed out, no route, name not resolved).
        case unreachable
        /// Something answered with another status than 200.
        case httpStatus
        /// The answer is not an lbd instance status (not JSON, a field missing, too large).
        case notAnInstanceStatus
    }

    public var url: String
    public var code: Code
    public var detail: String

    public init(url: String, code: Code, detail: String) {
        self.url = url
        self.code = code
        self.detail = detail
    }

    public var description: String {
        switch code {
        case .unreachable:
            return
                "no lbd answers at \(url): \(detail) (is `lbd run` running, with http.listen at this address?)"
        case .httpStatus:
            return "\(url) answered \(detail): not an lbd, or an lbd without /api/v1/instance"
        case .notAnInstanceStatus:
            return "\(url) did not answer an lbd instance status: \(detail)"
        }
    }
}
