/// Turns request bytes into response bytes for both transports: decoding, answering from the
/// store's current snapshot, and encoding within the transport's size limit.
struct DNSQueryProcessor: Sendable {
    let store: ZoneStore
    let responder: AuthoritativeResponder
    /// The client addresses (as `SocketAddress.ipAddress` spells them) allowed to transfer zones.
    let transferSources: Set<String>
    /// The keys an UPDATE may be signed with; empty refuses every UPDATE.
    var updateKeys: [TSIGKey] = []
    /// The time TSIG signatures are checked against and made with.
    var clock: TSIGClock = .system

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
        if request.opcode == .update && !request.isResponse { return processUpdate(request, bytes: bytes) }
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

    /// The answer to an RFC 2136 UPDATE: it must be TSIG-signed with one of `updateKeys`
    /// (REFUSED otherwise, NOTAUTH with the TSIG error when the signature fails, RFC 8945
    /// section 5.2), then is applied atomically to the zone it names; the answer is signed with
    /// the same key, chaining the request MAC.
    func processUpdate(_ request: DNSMessage, bytes: [UInt8]) -> [UInt8]? {
        var response = DNSMessage(
            id: request.id, isResponse: true, opcode: .update, questions: request.questions)
        guard !updateKeys.isEmpty, let requestTSIG = request.tsig else {
            response.responseCode = .refused
            return try? response.encode()
        }
        let verified: TSIGVerifiedMessage
        do {
            verified = try TSIGVerifier(keys: updateKeys, clock: clock).verify(bytes)
        } catch {
            switch error.code {
            case .badKey, .unsupportedAlgorithm, .badSignature:
                // Unsigned: the server cannot or must not sign with a key the request did not
                // prove it holds (RFC 8945 section 5.3.2).
                response.responseCode = .notAuth
                let record = TSIGRecord(
                    algorithm: requestTSIG.record.algorithm, timeSigned: clock.now(),
                    fudge: requestTSIG.record.fudge, mac: [], originalID: request.id,
                    error: error.responseCode)
                response.additionals = [
                    ResourceRecord(name: requestTSIG.keyName, class: .any, ttl: 0, data: .tsig(record))
                ]
                return try? response.encode()
            case .badTime:
                // The MAC verified: the answer is signed, with the server's time in other data.
                response.responseCode = .notAuth
                guard let key = updateKeys.first(where: { $0.name == requestTSIG.keyName }) else {
                    return nil
                }
                let now = clock.now()
                let time = (0..<6).map { UInt8(truncatingIfNeeded: now >> (40 - 8 * UInt64($0))) }
                return try? TSIGSigner(key: key, clock: clock).sign(
                    response, requestMAC: requestTSIG.record.mac, error: .badTime, otherData: time
                ).bytes
            default:
                response.responseCode = .formatError
                return try? response.encode()
            }
        }
        let signer = TSIGSigner(key: verified.key, clock: clock)
        let message = verified.message
        response.responseCode = {
            switch ZoneUpdateProcessor.zoneName(of: message) {
            case .failure(let failure): return failure.code
            case .success(let origin):
                let outcome = store.modify(origin) { ZoneUpdateProcessor.apply(message, to: $0) }
                switch outcome {
                case nil: return .notAuth
                case .success?: return .noError
                case .failure(let failure)?: return failure.code
                }
            }
        }()
        return try? signer.sign(response, requestMAC: verified.mac).bytes
    }
}
