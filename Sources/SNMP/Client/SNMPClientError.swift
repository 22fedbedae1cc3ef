import NIOCore

/// Why a GET did not return values.
public enum SNMPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No answer within the timeout, after every retry.
    case timeout(attempts: Int)
    /// The agent answered with a non-zero error-status (v1 noSuchName, genErr...).
    case errorStatus(SNMPErrorStatus, index: Int)
    /// The security layer failed: reported by the agent or found in its answer.
    case security(USMError)
    /// The agent answered with a Report that is not a USM error.
    case unexpectedReport(OID?)
    /// The answer was not a valid SNMP message, or not a response to the request: an undecodable
    /// datagram from the agent (reported once every attempt has timed out), a PDU of another
    /// type, a v3 response to another request.
    case malformedResponse(String)
    /// The response carries another number of variable bindings than the request.
    case unexpectedBindingCount(received: Int, requested: Int)
    /// The answer came from another engine than the one discovered for this address.
    case engineMismatch
    /// The address family (`IPv6`) has no socket (IPv6 unavailable on this host, for example).
    case unsupportedAddress(String)
    /// The datagram could not be sent.
    case sendFailed(String)
    /// The client was shut down.
    case shutDown

    public var description: String {
        switch self {
        case .timeout(let attempts):
            return "no answer (timeout after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
        case .errorStatus(let status, let index): return "agent error \(status) (error-index \(index))"
        case .security(let error): return error.description
        case .unexpectedReport(let oid): return "unexpected report \(oid?.description ?? "without variable")"
        case .malformedResponse(let detail): return "malformed response: \(detail)"
        case .unexpectedBindingCount(let received, let requested):
            return "the response has \(received) variable binding(s) for \(requested) requested"
        case .engineMismatch: return "response from an unexpected SNMP engine"
        case .unsupportedAddress(let family):
            return "cannot send to \(family): no socket for that address family on this host"
        case .sendFailed(let detail): return "send failed: \(detail)"
        case .shutDown: return "the SNMP client is shut down"
        }
    }
}
