/// What the 12-octet header of a request decides before any name is decoded, so that a packet
/// built to be expensive (thousands of questions pointing at one long name) costs no more than
/// a plain query: responses are dropped, and a request with the wrong number of questions, with
/// counts its length cannot hold, or with an opcode this server does not implement is answered
/// from its header alone.
enum DNSRequestScreening: Hashable, Sendable {
    /// Nothing is sent: the packet is shorter than a header, or is a response, and answering a
    /// response could start a loop between two servers.
    case drop
    /// Answered with this code, the header and (when the request has one) an OPT record only.
    case answerHeaderOnly(ResponseCode)
    /// The request is worth decoding.
    case decode

    init(_ bytes: [UInt8]) {
        guard let header = DNSHeader(bytes), !header.isResponse else {
            self = .drop
            return
        }
        switch header.opcode {
        case .query, .notify, .update:
            // QUERY and NOTIFY ask about one name (RFC 1035 section 4.1.2 in practice, RFC 1996
            // section 3.7), an UPDATE names one zone (RFC 2136 section 2.3).
            if header.questionCount != 1 || !header.countsFit(messageLength: bytes.count) {
                self = .answerHeaderOnly(.formatError)
            } else {
                self = .decode
            }
        default:
            self = .answerHeaderOnly(.notImplemented)
        }
    }
}
