import AsyncHTTPClient
import Foundation
import NIOCore

/// Asks a running lbd for its `InstanceStatus` (`GET /api/v1/instance`): what `lbd status` does.
///
/// Bounded: a short connect and overall timeout, no redirect followed, a body cap, so that a
/// wrong URL gives an error within seconds instead of a hang or a flood.
public struct InstanceStatusClient: Sendable {
    /// What an answer may weigh; a status is a few hundred bytes.
    public static let bodyLimit = 1 << 20

    /// The base URL (`http://HOST:PORT`), without a trailing slash.
    public let baseURL: String
    /// Seconds the whole request may take.
    public let timeout: Double
    /// The bearer token sent (`http.token_file`'s content); nil sends none.
    let token: String?

    public init(baseURL: String, timeout: Double = 5, token: String? = nil) {
        self.token = token
        var url = baseURL.contains("://") ? baseURL : "http://\(baseURL)"
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.timeout = timeout
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

    /// The URL of the instance endpoint.
    public var instanceURL: String { baseURL + "/api/v1/instance" }

    /// The status, and the JSON as it came.
    public func fetch() async throws(InstanceStatusFetchError) -> (status: InstanceStatus, json: [UInt8]) {
        let url = instanceURL
        let body: ByteBuffer
        do {
            body = try await get(url)
        } catch let error as InstanceStatusFetchError {
            throw error
        } catch {
            throw InstanceStatusFetchError(
                url: url, code: .unreachable, detail: describe(transportError: error))
        }
        let bytes = [UInt8](buffer: body)
        do {
            return (try InstanceStatus.makeDecoder().decode(InstanceStatus.self, from: Data(bytes)), bytes)
        } catch {
            throw InstanceStatusFetchError(
                url: url, code: .notAnInstanceStatus, detail: Self.describe(decodingError: error))
        }
    }

    private func get(_ url: String) async throws -> ByteBuffer {
        let milliseconds = Int64(max(timeout, 0.1) * 1000)
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .milliseconds(milliseconds), read: .milliseconds(milliseconds))))
        do {
            var request = HTTPClientRequest(url: url)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
            guard response.status == .ok else {
                throw InstanceStatusFetchError(
                    url: url, code: .httpStatus,
                    detail: "HTTP \(response.status.code) \(response.status.reasonPhrase)")
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: Self.bodyLimit)
            } catch is NIOTooManyBytesError {
                throw InstanceStatusFetchError(
                    url: url, code: .notAnInstanceStatus, detail: "the answer is larger than 1 MiB")
            }
            try? await client.shutdown()
            return body
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func describe(transportError error: any Error) -> String {
        switch error {
        case let error as IOError:
            // "Connection refused", without NIO's wrapping of it.
            return String(cString: strerror(error.errnoCode))
        case let error as HTTPClientError
        where [.connectTimeout, .readTimeout, .deadlineExceeded].contains(error):
            return "no answer within \(timeout) s"
        default:
            return "\(error)"
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
