/// Why a `DNSMessage` cannot be written: a value is too large for its wire field.
public struct DNSEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is too large.
    public enum Code: Hashable, Sendable {
        /// A TXT character-string is over 255 octets.
        case stringTooLong
        /// RDATA is over 65535 octets.
        case recordDataTooLong
        /// A section has more than 65535 entries.
        case tooManyRecords
        /// A response code above 15 needs an OPT record (`DNSMessage.edns`) to carry its upper bits.
        case extendedResponseCodeWithoutEDNS
        /// A response code or opcode does not fit its field.
        case valueOutOfRange
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "cannot encode DNS message: \(detail)" }
}
