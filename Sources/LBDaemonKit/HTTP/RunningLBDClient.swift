import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One bounded GET to a running lbd's HTTP server, as `lbd status` and `lbd explain` send it:
/// a short connect and overall timeout, no redirect followed, a body cap, and the bearer token
/// when given one (`http.token_file` on the server). So a wrong URL gives an error within
/// seconds instead of a hang or a flood.
public struct RunningLBDClient: Sendable {
    /// The base URL (`http://HOST:PORT`), without a trailing slash.
    public let baseURL: String
    /// The bearer token sent; nil sends none.
    public let token: String?
    /// Seconds each request may take.
    public let timeout: Double

    /// `baseURL` may leave out the scheme (`http://` is meant) and end with slashes.
    public init(baseURL: String, token: String? = nil, timeout: Double = 5) {
        var url = baseURL.contains("://") ? baseURL : "http://\(baseURL)"
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
        self.timeout = timeout
    }

    /// Why a GET got no answer to read.
    public enum Failure: Error, Hashable, Sendable {
        /// Nothing answered: the reason in words (`Connection refused`, `no answer within 5.0 s`).
        case unreachable(String)
        /// A 200 answer is larger than the cap.
        case tooLarge
    }

    /// The status of the answer to `GET baseURL + path` and, for a 200, its body (at most
    /// `limit` bytes); other statuses come without their body, which no caller reads.
    public func get(_ path: String, upTo limit: Int) async throws(Failure) -> (
        status: HTTPResponseStatus, body: [UInt8]
    ) {
        let milliseconds = Int64(max(timeout, 0.1) * 1000)
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .milliseconds(milliseconds), read: .milliseconds(milliseconds))))
        var request = HTTPClientRequest(url: baseURL + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let outcome: Result<(HTTPResponseStatus, [UInt8]), Failure>
        do {
            let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
            if response.status == .ok {
                let body = try await response.body.collect(upTo: limit)
                outcome = .success((response.status, [UInt8](buffer: body)))
            } else {
                outcome = .success((response.status, []))
            }
        } catch is NIOTooManyBytesError {
            outcome = .failure(.tooLarge)
        } catch {
            outcome = .failure(.unreachable(describe(error)))
        }
        try? await client.shutdown()
        return try outcome.get()
    }

    private func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            // "Connection refused", without NIO's wrapping of it.
            return String(cString: strerror(error.errnoCode))
        case let error as HTTPClientError
        where [.connectTimeout, .readTimeout, .deadlineExceeded].contains(error):
            return "no answer within \(timeout) s"
        default:
            return DecisionsFile.shown("\(error)")
        }
    }
}
