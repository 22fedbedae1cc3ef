import DNS
import NIOCore

/// Sends one DNS request, TSIG-signed when a key is given, and returns the NOERROR answer.
///
/// The seam between `DNSUpdatePublisher` and the network: `DNSClient` in production, a wrapper
/// in tests that counts what is in flight.
protocol DNSRequestSender: Sendable {
    func send(
        _ message: DNSMessage, server: SocketAddress, key: DNS.TSIGKey?, options: DNSClient.Options
    ) async throws -> DNSResponse
}

extension DNSClient: DNSRequestSender {
    func send(
        _ message: DNSMessage, server: SocketAddress, key: DNS.TSIGKey?, options: DNSClient.Options
    ) async throws -> DNSResponse {
        // `update(_:)` sends any request, a query included; `query(_:)` cannot sign, and the key
        // is what selects the view on a server with views.
        try await update(message, server: server, key: key, options: options)
    }
}
