/// Why bytes received from the network are not a valid DNS message. Decoding never reads past the
/// packet and never allocates more than the packet holds, so every malformed input ends here.
public struct DNSDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, for callers that answer FORMERR or count failures by kind.
    public enum Code: Hashable, Sendable {
        /// The packet ends inside the header, a name, a record or its RDATA.
        case truncated
        /// A compression pointer leads back to a name already being read.
        case pointerLoop
        /// A compression pointer points at or after itself.
        case forwardPointer
        /// A compression pointer points outside the packet.
        case pointerOutOfRange
        /// A label length octet is over 63 (0x40 to 0x7F: also the obsolete extended labels).
        case labelTooLong
        /// A label type other than a length or a pointer (0x80 to 0xBF).
        case badLabelType
        /// The name is longer than 255 octets once uncompressed.
        case nameTooLong
        /// The RDATA of a known type does not have the length or layout its type requires.
        case badRecordData
        /// An OPT record that is not at the root name, not in the additional section, or more than
        /// one OPT record (RFC 6891 section 6.1.1).
        case badOPT
        /// Bytes are left after the last record the header counts.
        case trailingBytes
        /// A name follows more than 127 compression pointers, or the message more than its
        /// `DNSDecodingLimits` allow.
        case tooManyPointers
        /// The names of the message add up, uncompressed, to more than its `DNSDecodingLimits`
        /// allow: many pointers to long names, a packet built to make the decoder work.
        case tooManyNameOctets
    }

    public let code: Code
    /// The offset in the packet of the element that could not be read.
    public let offset: Int
    /// A short explanation for people.
    public let detail: String

    public init(_ code: Code, offset: Int, _ detail: String) {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    public var description: String { "malformed DNS message at byte \(offset): \(detail)" }
}
