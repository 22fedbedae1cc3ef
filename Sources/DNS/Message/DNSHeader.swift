/// The fixed 12 octets that start every DNS message (RFC 1035 section 4.1.1), read on their own
/// so that a server can decide what to do with a request before it decodes a single name.
struct DNSHeader: Hashable, Sendable {
    static let length = 12

    var id: UInt16
    var flags: UInt16
    var questionCount: UInt16
    var answerCount: UInt16
    var authorityCount: UInt16
    var additionalCount: UInt16

    /// The header of `bytes`, or nil when they are shorter than a header.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.length else { return nil }
        func field(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
        id = field(0)
        flags = field(2)
        questionCount = field(4)
        answerCount = field(6)
        authorityCount = field(8)
        additionalCount = field(10)
    }

    /// QR
    var isResponse: Bool { flags & 0x8000 != 0 }
    var opcode: Opcode { Opcode(rawValue: UInt8(flags >> 11 & 0xF)) }
    /// RD
    var recursionDesired: Bool { flags & 0x0100 != 0 }
    /// CD (RFC 4035)
    var checkingDisabled: Bool { flags & 0x0010 != 0 }
    var recordCount: Int { Int(answerCount) + Int(authorityCount) + Int(additionalCount) }

    /// Whether the sections the counts announce can fit in `length` octets: each question takes
    /// at least 5 octets (root name, type, class) and each record at least 11.
    func countsFit(messageLength length: Int) -> Bool {
        Int(questionCount) * 5 + recordCount * 11 <= length - Self.length
    }
}
