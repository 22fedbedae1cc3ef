/// A DNS message (RFC 1035 section 4.1): header flags and the four sections. An OPT record is
/// not kept in `additionals` but in `edns`, and `responseCode` holds all 12 bits of the code
/// whatever part of it the OPT record carries.
public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    /// QR: a response rather than a query.
    public var isResponse: Bool
    public var opcode: Opcode
    /// AA
    public var isAuthoritative: Bool
    /// TC: the message was cut to fit; the full one needs TCP.
    public var isTruncated: Bool
    /// RD
    public var recursionDesired: Bool
    /// RA
    public var recursionAvailable: Bool
    /// AD (RFC 4035)
    public var authenticData: Bool
    /// CD (RFC 4035)
    public var checkingDisabled: Bool
    /// Up to 15 without `edns`, up to 4095 with it.
    public var responseCode: ResponseCode
    /// The question section; in an UPDATE, the zone section.
    public var questions: [Question]
    /// The answer section; in an UPDATE, the prerequisites.
    public var answers: [ResourceRecord]
    /// The authority section; in an UPDATE, the updates.
    public var authorities: [ResourceRecord]
    /// The additional section, without the OPT record. A TSIG record, if any, is last.
    public var additionals: [ResourceRecord]
    public var edns: EDNS?

    public init(
        id: UInt16, isResponse: Bool = false, opcode: Opcode = .query, isAuthoritative: Bool = false,
        isTruncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
        authenticData: Bool = false, checkingDisabled: Bool = false, responseCode: ResponseCode = .noError,
        questions: [Question] = [], answers: [ResourceRecord] = [], authorities: [ResourceRecord] = [],
        additionals: [ResourceRecord] = [], edns: EDNS? = nil
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.responseCode = responseCode
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }

    /// The TSIG record, when it is the last additional record as RFC 8945 requires.
    public var tsig: (keyName: DomainName, record: TSIGRecord)? {
        guard let last = additionals.last, case .tsig(let record) = last.data else { return nil }
        return (last.name, record)
    }
}
