/// How much name decoding one message may cost, so that a packet built to make the decoder work
/// (thousands of compression pointers to one 255-octet name) is refused after a bounded amount
/// of work proportional to its length.
///
/// Every real message stays far below these limits: its names, uncompressed, are 1 to 4 times
/// its length, and each name follows one or two pointers. A crafted one stops with
/// `DNSDecodingError.Code.tooManyPointers` or `.tooManyNameOctets`.
public struct DNSDecodingLimits: Hashable, Sendable {
    /// The most compression pointers one name may follow: a name has at most 127 labels, and an
    /// encoder needs at most one pointer per label.
    public static let pointersPerName = 127

    /// The most compression pointers followed over all the names of the message.
    public var maximumPointers: Int
    /// The most octets all the names of the message may add up to once uncompressed.
    public var maximumNameOctets: Int

    public init(maximumPointers: Int, maximumNameOctets: Int) {
        self.maximumPointers = maximumPointers
        self.maximumNameOctets = maximumNameOctets
    }

    /// The limits for a message of `length` octets: one pointer per octet (twice as many as
    /// the message can hold) and names adding up to 8 times its length, each plus a margin for
    /// small messages. Names averaging 128 octets, each compressed to a pointer, still fit.
    public static func standard(forLength length: Int) -> DNSDecodingLimits {
        DNSDecodingLimits(maximumPointers: 64 + length, maximumNameOctets: 4096 + 8 * length)
    }
}
