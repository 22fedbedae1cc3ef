/// Why a zone transfer (`ZoneTransferClient`) failed. `code` is meant for programs, `message`
/// for people: it names the server and the zone.
public struct ZoneTransferError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The TCP connection could not be made, or failed during the transfer.
        case connectionFailed
        /// The whole transfer (connection included) did not end within its deadline.
        case timeout
        /// The server answered with an RCODE other than NOERROR: REFUSED (not allowed to
        /// transfer), NOTAUTH (not authoritative for the zone), SERVFAIL...
        case responseCode(ResponseCode)
        /// A frame is not a DNS message answering the request (another ID or question, an empty
        /// frame, a record of another class, records after the closing SOA).
        case malformedResponse
        /// The connection closed before the closing SOA.
        case incomplete
        /// The transfer does not start with the zone's SOA.
        case missingSOA
        /// An SOA other than the first one: at another name, or with other data (a transfer that
        /// does not end with the SOA it started with).
        case soaMismatch
        /// A record whose owner is not the zone's apex or a name below it.
        case outOfZone(DomainName)
        /// More records than `ZoneTransferClient.Limits.maximumRecords`.
        case tooManyRecords
        /// More messages than `ZoneTransferClient.Limits.maximumMessages`.
        case tooManyMessages
        /// The answer to a signed request was unsigned or wrongly signed (RFC 8945 section 5.3.1).
        case tsig(TSIGError)
        /// The records form no valid zone (a CNAME beside other data, a type a zone cannot hold).
        case invalidZone(ZoneError)
        /// The request cannot be encoded or signed.
        case invalidRequest
    }

    public let code: Code
    /// What went wrong, for a log line.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "zone transfer: \(message)" }
}
