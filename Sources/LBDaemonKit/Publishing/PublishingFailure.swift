import DNS

/// Why a publication could not be made in one place: what the engine, the logs and the JSON
/// output carry for a `.failed` result.
///
/// `code` is stable, for programs and log filters; `message` says what happened and where, for
/// people. Invariant: the code says which side to look at (lbd's configuration, the network, or
/// the DNS server's answer) without reading the message.
public struct PublishingFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// No DNS server is configured for the view.
        case noServer = "no_server"
        /// The DNS server's name has no address, and none is known from before.
        case serverUnresolved = "server_unresolved"
        /// The alias is not a domain name.
        case invalidAlias = "invalid_alias"
        /// The alias is outside the zone the embedded server publishes aliases in.
        case outsideZone = "outside_zone"
        /// The server did not answer in time, after every attempt.
        case timeout
        /// No TCP connection could be made, or the datagram could not be sent.
        case connectionFailed = "connection_failed"
        /// The server answered with an error code (REFUSED, NOTAUTH, SERVFAIL...).
        case rejected
        /// The TSIG exchange failed: the server rejected the key, or its answer's signature.
        case tsig
        /// The server's answer could not be read.
        case malformedResponse = "malformed_response"
        /// The DNS server's fencing record (`_lbd-fence.<zone>`, `ha.mode: lease`) holds a newer
        /// lease's token than this instance's, or the server refused an UPDATE on that
        /// prerequisite: another instance publishes now. Not retried.
        case fenced
        /// The embedded zone could not be built with the records.
        case zone
        /// lbd stopped while publishing.
        case cancelled
        /// Anything else (an invalid request: a bug worth reporting).
        case other
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The same failure, its message prefixed with where it happened.
    func at(_ context: String) -> PublishingFailure {
        PublishingFailure(code, "\(context): \(message)")
    }

    /// The code of a DNS client error.
    static func code(of error: DNSClientError) -> Code {
        switch error.code {
        case .timeout: .timeout
        case .connectionFailed: .connectionFailed
        case .responseCode: .rejected
        case .tsig: .tsig
        case .malformedResponse: .malformedResponse
        case .invalidRequest: .other
        }
    }
}
