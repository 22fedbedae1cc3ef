import NIOCore

/// Turns request bytes into response bytes for both transports: decoding, checking the TSIG of
/// signed requests, answering queries from the store's current snapshot, serving transfers and
/// UPDATEs to those allowed, and encoding (and signing) within the transport's size limit.
struct DNSQueryProcessor: Sendable {
    let store: ZoneStore
    let responder: AuthoritativeResponder
    /// Who may transfer and change zones, and with which keys.
    let configuration: DNSServerConfiguration
    /// The time TSIG signatures are checked against and made with.
    var clock: TSIGClock = .system
    /// Every key a request may be signed with, gathered once rather than per signed request.
    private let knownKeys: [TSIGKey]

    /// The key a request was signed with and its MAC, which every message answering it chains.
    struct Signature {
        let key: TSIGKey
        let requestMAC: [UInt8]
    }

    init(
        store: ZoneStore, responder: AuthoritativeResponder, configuration: DNSServerConfiguration,
        clock: TSIGClock = .system
    ) {
        self.store = store
        self.responder = responder
        self.configuration = configuration
        self.clock = clock
        self.knownKeys = configuration.knownKeys
    }

    /// The responses to `bytes` received over TCP from `source`: one message, or the messages
    /// of a zone transfer; empty when nothing must be sent.
    func processStream(_ bytes: [UInt8], source: SocketAddress?) -> [[UInt8]] {
        respond(to: bytes, source: source, overTCP: true, maximumSize: { _ in 0xFFFF })
    }

    /// The response to `bytes` received over UDP from `source`, limited to
    /// `maximumSize(request)` octets, or nil when nothing must be sent: unreadable header, or
    /// the packet is a response.
    func process(
        _ bytes: [UInt8], source: SocketAddress? = nil, maximumSize: (DNSMessage?) -> Int
    ) -> [UInt8]? {
        respond(to: bytes, source: source, overTCP: false, maximumSize: maximumSize).first
    }

    private func respond(
        to bytes: [UInt8], source: SocketAddress?, overTCP: Bool, maximumSize: (DNSMessage?) -> Int
    ) -> [[UInt8]] {
        // The header alone settles responses, question counts and opcodes, before any name is
        // decoded.
        switch DNSRequestScreening(bytes) {
        case .drop: return []
        case .answerHeaderOnly(let code):
            return Self.headerOnlyAnswer(to: bytes, code, maximumSize: maximumSize(nil)).map { [$0] } ?? []
        case .decode: break
        }
        var request: DNSMessage
        do {
            request = try DNSMessage(decoding: bytes)
        } catch {
            return Self.headerOnlyAnswer(to: bytes, .formatError, maximumSize: maximumSize(nil)).map { [$0] }
                ?? []
        }
        var signature: Signature?
        if let requestTSIG = request.tsig {
            do {
                let verified = try TSIGVerifier(keys: knownKeys, clock: clock).verify(bytes)
                request = verified.message
                signature = Signature(key: verified.key, requestMAC: verified.mac)
            } catch {
                return tsigFailure(error, request: request, requestTSIG: requestTSIG).map { [$0] } ?? []
            }
        }
        if request.opcode == .update {
            return seal(processUpdate(request, signature: signature), signature, limit: maximumSize(request))
        }
        if request.opcode == .query, request.questions.count == 1, let question = request.questions.first,
            question.type == .axfr || question.type == .ixfr
        {
            return transfer(
                request, question: question, source: source, signature: signature, overTCP: overTCP,
                limit: maximumSize(request))
        }
        guard let response = responder.respond(to: request, zones: store.zones) else { return [] }
        return seal(response, signature, limit: maximumSize(request))
    }

    /// `response` encoded within `limit` octets (cut with TC when it does not fit), and signed
    /// when the request was.
    private func seal(_ response: DNSMessage, _ signature: Signature?, limit: Int) -> [[UInt8]] {
        let reserve = signature.map { Self.tsigSize($0.key) } ?? 0
        var wire: [UInt8]
        do {
            wire = try response.encode(maximumSize: limit - reserve)
            if wire.count > limit - reserve {
                // Only the question section can overflow (the encoder always writes it); the
                // header alone with TC sends the client to TCP rather than over the limit.
                var cut = response
                (cut.questions, cut.answers, cut.authorities, cut.additionals) = ([], [], [], [])
                cut.isTruncated = true
                wire = try cut.encode(maximumSize: limit - reserve)
            }
        } catch {
            // A zone holds something that cannot be written (say 65536 records): tell the
            // client, with the question only.
            let failure = DNSMessage(
                id: response.id, isResponse: true, opcode: response.opcode,
                recursionDesired: response.recursionDesired, responseCode: .serverFailure,
                questions: response.questions, edns: response.edns)
            guard let bytes = try? failure.encode(maximumSize: limit - reserve) else { return [] }
            wire = bytes
        }
        guard let signature else { return [wire] }
        let signer = TSIGSigner(key: signature.key, clock: clock)
        return (try? signer.sign(wire: wire, requestMAC: signature.requestMAC).bytes).map { [$0] } ?? []
    }

    /// The octets a TSIG record signed with `key` takes: owner, fixed fields, algorithm name,
    /// the largest MAC (64 octets), and no other data.
    static func tsigSize(_ key: TSIGKey) -> Int {
        key.name.wireLength + 10 + key.algorithm.domainName.wireLength + 16 + 64
    }

    /// The answer to a request whose TSIG did not verify (RFC 8945 section 5.2): NOTAUTH with
    /// the TSIG error, unsigned since the client did not prove it holds the key, except for
    /// BADTIME, whose MAC verified and which is signed with the server's time in other data.
    private func tsigFailure(
        _ error: TSIGError, request: DNSMessage, requestTSIG: (keyName: DomainName, record: TSIGRecord)
    ) -> [UInt8]? {
        var response = DNSMessage(
            id: request.id, isResponse: true, opcode: request.opcode, questions: request.questions,
            edns: request.edns?.answer(udpPayloadSize: AuthoritativeResponder.payloadSize))
        switch error.code {
        case .badKey, .unsupportedAlgorithm, .badSignature:
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
            response.responseCode = .notAuth
            guard let key = knownKeys.first(where: { $0.name == requestTSIG.keyName }) else {
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

    /// The answer with `code` to a request whose header is all that was read (FORMERR for a
    /// packet that cannot be decoded or has the wrong question count, NOTIMP for an opcode this
    /// server does not serve): the header with RD and CD copied, no question, and an OPT
    /// record when the request has one (RFC 6891 section 7), found without decoding the
    /// request. Nil for packets under 12 octets and for responses, which are dropped.
    static func headerOnlyAnswer(to bytes: [UInt8], _ code: ResponseCode, maximumSize: Int) -> [UInt8]? {
        guard let header = DNSHeader(bytes), !header.isResponse else { return nil }
        let response = DNSMessage(
            id: header.id, isResponse: true, opcode: header.opcode,
            recursionDesired: header.recursionDesired, checkingDisabled: header.checkingDisabled,
            responseCode: code,
            edns: DNSMessage.skimEDNS(bytes)?.answer(udpPayloadSize: AuthoritativeResponder.payloadSize))
        return try? response.encode(maximumSize: maximumSize)
    }

    // MARK: Transfers

    /// The answer to an AXFR or IXFR: allowed from `transferSources` or signed with one of
    /// `transferKeys`, REFUSED otherwise; NOTAUTH below a zone's apex (RFC 5936 section 2.2.1).
    /// AXFR needs TCP. An IXFR over UDP gets the whole answer when it fits in one datagram, else
    /// the current SOA alone, which tells the client to ask again over TCP (RFC 1995 section 2).
    private func transfer(
        _ request: DNSMessage, question: Question, source: SocketAddress?, signature: Signature?,
        overTCP: Bool,
        limit: Int
    ) -> [[UInt8]] {
        let edns = request.edns?.answer(udpPayloadSize: AuthoritativeResponder.payloadSize)
        var refusal = DNSMessage(
            id: request.id, isResponse: true, opcode: request.opcode,
            recursionDesired: request.recursionDesired, responseCode: .refused, questions: request.questions,
            edns: edns)
        let keyAllowed = signature.map { signature in
            configuration.transferKeys.contains { $0.name == signature.key.name }
        }
        guard keyAllowed == true || source?.ipAddress.map(configuration.transferSources.contains) == true,
            overTCP || question.type == .ixfr
        else { return seal(refusal, signature, limit: limit) }
        guard let (zone, history) = store.zoneWithHistory(question.name) else {
            refusal.responseCode = .notAuth
            return seal(refusal, signature, limit: limit)
        }
        let records: [ResourceRecord]
        if question.type == .axfr {
            records = ZoneTransfer.fullRecords(of: zone)
        } else {
            // The client's version is the SOA in the authority section (RFC 1995 section 3).
            guard request.authorities.count == 1, case .soa(let clientSOA) = request.authorities[0].data,
                request.authorities[0].name == zone.origin
            else {
                refusal.responseCode = .formatError
                return seal(refusal, signature, limit: limit)
            }
            records = ZoneTransfer.incrementalRecords(of: zone, history: history, from: clientSOA.serial)
        }
        let reserve = signature.map { Self.tsigSize($0.key) } ?? 0
        guard overTCP else {
            var answer = DNSMessage(
                id: request.id, isResponse: true, opcode: .query, isAuthoritative: true,
                questions: request.questions, answers: records, edns: edns)
            if let whole = try? answer.encode(maximumSize: limit - reserve), whole[2] & 0x02 == 0 {
                return sign(stream: [whole], signature)
            }
            answer.answers = [zone.soaRecord]
            return seal(answer, signature, limit: limit)
        }
        guard let messages = ZoneTransfer.messages(answering: request, records: records, reserve: reserve)
        else {
            refusal.responseCode = .serverFailure
            return seal(refusal, signature, limit: limit)
        }
        return sign(stream: messages, signature)
    }

    /// The messages of one answer, each signed in turn when the request was (RFC 8945 section
    /// 5.3.1): a transfer whose signing fails is not sent half-signed.
    private func sign(stream messages: [[UInt8]], _ signature: Signature?) -> [[UInt8]] {
        guard let signature else { return messages }
        var signer = TSIGStreamSigner(
            signer: TSIGSigner(key: signature.key, clock: clock), requestMAC: signature.requestMAC)
        var signed: [[UInt8]] = []
        signed.reserveCapacity(messages.count)
        for message in messages {
            guard let bytes = try? signer.sign(wire: message) else { return [] }
            signed.append(bytes)
        }
        return signed
    }

    // MARK: UPDATE

    /// The answer to an RFC 2136 UPDATE: it must be signed with one of `updateKeys` allowed to
    /// change the zone it names (REFUSED otherwise), then is applied atomically to that zone.
    func processUpdate(_ request: DNSMessage, signature: Signature?) -> DNSMessage {
        var response = DNSMessage(
            id: request.id, isResponse: true, opcode: .update, questions: request.questions,
            edns: request.edns?.answer(udpPayloadSize: AuthoritativeResponder.payloadSize))
        guard let signature, configuration.updateKeys.contains(where: { $0.name == signature.key.name })
        else {
            response.responseCode = .refused
            return response
        }
        response.responseCode = {
            switch ZoneUpdateProcessor.zoneName(of: request) {
            case .failure(let failure): return failure.code
            case .success(let origin):
                if let zones = configuration.updateKeyZones[signature.key.name], !zones.contains(origin) {
                    return .refused
                }
                let outcome = store.modify(origin) { ZoneUpdateProcessor.apply(request, to: $0) }
                switch outcome {
                case nil: return .notAuth
                case .success?: return .noError
                case .failure(let failure)?: return failure.code
                }
            }
        }()
        return response
    }
}
