/// Why a `DNSClient` request failed. `code` is meant for programs, `message` for people.
public struct DNSClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The server answered with an RCODE other than NOERROR (NOTAUTH, REFUSED, SERVFAIL,
        /// NXRRSET, YXRRSET, NXDOMAIN, FORMERR, NOTZONE...).
        case responseCode(ResponseCode)
        /// The answer to a signed request was unsigned or wrongly signed, or the server reported
        /// a TSIG failure (BADSIG, BADKEY, BADTIME) in the TSIG error field; then
        /// `TSIGError.peerError` holds it and the code is `.rejectedByPeer`.
        case tsig(TSIGError)
        /// No matching answer came in time, after all retries.
        case timeout
        /// The TCP connection could not be made or closed before the answer, or a socket failed.
        case connectionFailed
        /// The answer is not a DNS message, or its TCP frame is not a whole message.
        case malformedResponse
        /// The request cannot be encoded (too large, values out of range).
        case invalidRequest
    }

    public let code: Code
    /// What went wrong, for a log line.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The RCODE the server answered with, for `.responseCode`.
    public var responseCode: ResponseCode? {
        if case .responseCode(let code) = code { return code }
        return nil
    }

    /// The TSIG failure, for `.tsig`.
    public var tsigError: TSIGError? {
        if case .tsig(let error) = code { return error }
        return nil
    }

    public var description: String { "DNS client: \(message)" }
}
