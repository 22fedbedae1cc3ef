/// Decides whether received octets answer the request: same ID, QR set, same opcode and same
/// question (RFC 5452 section 9.1). Anything else on the socket is ignored rather than taken for
/// the answer, so a stray or spoofed datagram cannot end the exchange.
struct DNSResponseMatcher: Sendable {
    let id: UInt16
    let opcode: Opcode
    let questions: [Question]

    init(request: DNSMessage) {
        id = request.id
        opcode = request.opcode
        questions = request.questions
    }

    enum Verdict {
        case answer(DNSMessage)
        case ignore
        case malformed(String)
    }

    func judge(_ bytes: [UInt8]) -> Verdict {
        // Octets that do not even carry our ID are noise; only a message claiming to answer us
        // and failing to decode is a malformed answer.
        guard bytes.count >= 2, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == id else { return .ignore }
        let message: DNSMessage
        do {
            message = try DNSMessage(decoding: bytes)
        } catch {
            return .malformed(error.description)
        }
        guard message.isResponse, message.opcode == opcode else { return .ignore }
        // A server that cannot parse the request may answer FORMERR (or NOTIMP) without the
        // question section; an answer with a question must echo ours.
        if message.questions.isEmpty && message.responseCode != .noError { return .answer(message) }
        guard message.questions == questions else { return .ignore }
        return .answer(message)
    }
}
