/// Checks the messages of one AXFR answer (RFC 5936) as they arrive and keeps its records.
///
/// Invariant: what it keeps is always a prefix of a valid transfer of `zone`: every message
/// answers the request (same ID, the question in the first), every record is of class IN and at
/// or below the apex, the first is the zone's SOA, and the only other SOA is the same one,
/// which ends the transfer. The counts of messages and records are bounded by `limits`, so an
/// endless or oversized stream is an error after bounded work.
struct AXFRStream {
    let zone: DomainName
    let limits: ZoneTransferClient.Limits
    /// The server, for messages.
    let server: String
    private let id: UInt16
    private let questions: [Question]
    private var verifier: TSIGStreamVerifier?
    private(set) var records: [ResourceRecord] = []
    private(set) var messages = 0
    /// The opening SOA, once seen.
    private var openingSOA: StartOfAuthority?
    /// Whether the closing SOA has been seen.
    private(set) var isComplete = false

    /// - Parameter verifier: verifies each message when the request was signed.
    init(
        request: DNSMessage, zone: DomainName, limits: ZoneTransferClient.Limits, server: String,
        verifier: TSIGStreamVerifier? = nil
    ) {
        self.zone = zone
        self.limits = limits
        self.server = server
        self.id = request.id
        self.questions = request.questions
        self.verifier = verifier
    }

    /// Takes the next message of the stream (without its length prefix); returns whether the
    /// transfer is complete. Messages after the complete transfer are ignored.
    mutating func receive(_ bytes: [UInt8]) throws(ZoneTransferError) -> Bool {
        guard !isComplete else { return true }
        messages += 1
        guard messages <= limits.maximumMessages else {
            throw failure(.tooManyMessages, "more than \(limits.maximumMessages) messages")
        }
        let message = try decode(bytes)
        guard message.id == id, message.isResponse, message.opcode == .query else {
            throw failure(
                .malformedResponse,
                "message \(messages) is not an answer to the request (ID \(message.id), expected \(id))")
        }
        guard message.responseCode == .noError else {
            throw failure(.responseCode(message.responseCode), "the server answered \(message.responseCode)")
        }
        // RFC 5936 section 2.2.1: the question is in the first message; later ones may repeat it.
        guard message.questions == questions || (messages > 1 && message.questions.isEmpty) else {
            throw failure(.malformedResponse, "message \(messages) does not answer the question asked")
        }
        if messages == 1, message.answers.isEmpty {
            throw failure(.missingSOA, "the first message holds no record")
        }
        for record in message.answers { try take(record) }
        return isComplete
    }

    /// Call when the stream ends: the transfer must be complete (and its last message signed,
    /// when the request was).
    func finish() throws(ZoneTransferError) {
        guard isComplete else {
            throw failure(
                .incomplete,
                "the stream ended after \(messages) message(s) and \(records.count) record(s), before the closing SOA"
            )
        }
        do {
            try verifier?.finish()
        } catch {
            throw failure(.tsig(error), error.detail)
        }
    }

    private mutating func decode(_ bytes: [UInt8]) throws(ZoneTransferError) -> DNSMessage {
        if verifier != nil {
            do {
                return try verifier!.verify(bytes)
            } catch {
                throw failure(.tsig(error), "message \(messages): \(error.detail)")
            }
        }
        do {
            return try DNSMessage(decoding: bytes)
        } catch {
            throw failure(.malformedResponse, "message \(messages) is not a DNS message: \(error)")
        }
    }

    private mutating func take(_ record: ResourceRecord) throws(ZoneTransferError) {
        guard !isComplete else {
            throw failure(.malformedResponse, "records follow the closing SOA")
        }
        guard records.count < limits.maximumRecords else {
            throw failure(.tooManyRecords, "more than \(limits.maximumRecords) records")
        }
        guard record.class == .in else {
            throw failure(
                .malformedResponse, "\(record.name) \(record.type) is of class \(record.class), not IN")
        }
        guard record.name.isSubdomain(of: zone) else {
            throw failure(.outOfZone(record.name), "\(record.name) \(record.type) is outside the zone")
        }
        guard case .soa(let soa) = record.data else {
            guard openingSOA != nil else {
                throw failure(.missingSOA, "the first record is \(record.name) \(record.type), not the SOA")
            }
            records.append(record)
            return
        }
        guard record.name == zone else {
            throw failure(.soaMismatch, "an SOA record at \(record.name), below the apex")
        }
        if let openingSOA {
            guard soa == openingSOA else {
                throw failure(
                    .soaMismatch,
                    "the transfer started with serial \(openingSOA.serial) and ends with another SOA (serial \(soa.serial))"
                )
            }
            isComplete = true
        } else {
            openingSOA = soa
        }
        records.append(record)
    }

    private func failure(_ code: ZoneTransferError.Code, _ detail: String) -> ZoneTransferError {
        ZoneTransferError(code, "AXFR of \(zone) from \(server): \(detail)")
    }
}
