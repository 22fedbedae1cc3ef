/// Why a message could not be signed or its TSIG did not verify. `responseCode` is what a server
/// puts in its answer (RFC 8945 section 5.2).
public struct TSIGError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The message has no TSIG record where one is required.
        case missing
        /// A TSIG record that is not the last additional record, or more than one.
        case misplaced
        /// The key name is unknown, or known with another algorithm.
        case badKey
        /// The MAC does not match.
        case badSignature
        /// The time signed is outside the fudge window.
        case badTime
        /// The algorithm name is not one of `TSIGAlgorithm`.
        case unsupportedAlgorithm
        /// The bytes are not a DNS message.
        case malformed
        /// The message verified, but its TSIG error field reports a failure from the peer.
        case rejectedByPeer
        /// More than 99 unsigned messages in a row in a TSIG-signed stream.
        case tooManyUnsignedMessages
        /// A signed stream ended with an unsigned message.
        case unsignedLastMessage
    }

    public let code: Code
    public let detail: String
    /// The TSIG error field the peer sent, for `.rejectedByPeer`.
    public let peerError: ResponseCode?

    public init(_ code: Code, _ detail: String, peerError: ResponseCode? = nil) {
        self.code = code
        self.detail = detail
        self.peerError = peerError
    }

    /// The RCODE (header or TSIG error field) a server answers with.
    public var responseCode: ResponseCode {
        switch code {
        case .badKey, .unsupportedAlgorithm: return .badKey
        case .badSignature: return .badSignature
        case .badTime: return .badTime
        case .missing, .misplaced, .malformed, .tooManyUnsignedMessages, .unsignedLastMessage:
            return .formatError
        case .rejectedByPeer: return peerError ?? .notAuth
        }
    }

    public var description: String { "TSIG: \(detail)" }
}
