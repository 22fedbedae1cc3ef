/// Turns request bytes into response bytes for both transports: decoding, answering from the
/// store's current snapshot, and encoding within the transport's size limit.
struct DNSQueryProcessor: Sendable {
    let store: ZoneStore
    let responder: AuthoritativeResponder
    /// The client addresses (as `SocketAddress.ipAddress` spells them) allowed to transfer zones.
    let transferSources: Set<String>

    /// The responses to `bytes` received over TCP from `source`: one message, or a whole zone
    /// transfer for an allowed AXFR; empty when nothing must be sent.
    func processStream(_ bytes: [UInt8], source: String?) -> [[UInt8]] {
        guard let request = try? DNSMessage(decoding: bytes), !request.isResponse, request.opcode == .query,
            request.questions.count == 1, let question = request.questions.first, question.type == .axfr
        else {
            return process(bytes, maximumSize: { _ in 0xFFFF }).map { [$0] } ?? []
        }
        var refusal = DNSMessage(
            id: request.id, isResponse: true, opcode: request.opcode,
            recursionDesired: request.recursionDesired,
            responseCode: .refused, questions: request.questions,
            edns: request.edns.map { _ in EDNS(udpPayloadSize: AuthoritativeResponder.payloadSize) })
        guard let source, transferSources.contains(source) else {
            return (try? refusal.encode()).map { [$0] } ?? []
        }
        // Only a zone's apex can be transferred (RFC 5936 section 2.2.1).
        guard let zone = store.zone(question.name) else {
            refusal.responseCode = .notAuth
            return (try? refusal.encode()).map { [$0] } ?? []
        }
        guard let messages = ZoneTransfer.messages(answering: request, from: zone) else {
            refusal.responseCode = .serverFailure
            return (try? refusal.encode()).map { [$0] } ?? []
        }
        return messages
    }

    /// The response to `bytes`, limited to `maximumSize` octets by `maximumSize(request)`, or
    /// nil when nothing must be sent: unreadable header, or the packet is a response.
    func process(_ bytes: [UInt8], maximumSize: (DNSMessage?) -> Int) -> [UInt8]? {
        let request: DNSMessage
        do {
            request = try DNSMessage(decoding: bytes)
        } catch {
            return Self.formatError(for: bytes, maximumSize: maximumSize(nil))
        }
        guard let response = responder.respond(to: request, zones: store.zones) else { return nil }
        let limit = maximumSize(request)
        do {
            return try response.encode(maximumSize: limit)
        } catch {
            // A zone holds something that cannot be written (say 65536 records): tell the
            // client, with the question only.
            var failure = DNSMessage(
                id: request.id, isResponse: true, opcode: request.opcode,
                recursionDesired: request.recursionDesired, responseCode: .serverFailure,
                questions: request.questions, edns: response.edns)
            failure.responseCode = .serverFailure
            return try? failure.encode(maximumSize: limit)
        }
    }

    /// A FORMERR answer to a packet that could not be decoded but whose header can be read
    /// (RFC 1035 section 4.1.1), without a question section since none could be read; nil for
    /// packets under 12 octets and for responses, which are dropped.
    static func formatError(for bytes: [UInt8], maximumSize: Int) -> [UInt8]? {
        guard bytes.count >= 12, bytes[2] & 0x80 == 0 else { return nil }
        let response = DNSMessage(
            id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), isResponse: true,
            opcode: Opcode(rawValue: bytes[2] >> 3 & 0xF), recursionDesired: bytes[2] & 0x01 != 0,
            responseCode: .formatError)
        return try? response.encode(maximumSize: maximumSize)
    }
}
