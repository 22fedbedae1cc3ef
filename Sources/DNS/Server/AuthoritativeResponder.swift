/// Answers DNS queries from a set of zones: a pure function from a request and a zone snapshot
/// to a response, with no I/O, so that every case can be unit-tested without sockets.
///
/// The answers follow RFC 1034 section 4.3.2 for an authoritative-only server: AA is set, RA is
/// not (no recursion), a name outside every zone is REFUSED, a missing name is NXDOMAIN and a
/// missing type NODATA, both with the zone's SOA in the authority section (RFC 2308).
public struct AuthoritativeResponder: Sendable {
    /// The UDP payload size advertised in our OPT record: 1232 octets avoids IP fragmentation
    /// on the common paths (DNS flag day 2020).
    public static let payloadSize: UInt16 = 1232
    /// How many CNAME records are followed inside a zone before giving up on a chain.
    static let maximumCNAMEChain = 8
    /// Up to this many zones, the closest one is found by comparing the name with each origin.
    static let zoneScanLimit = 8

    /// Text computed at query time for a name inside a served zone: the character-strings of
    /// a TXT record (each at most 255 octets), or nil when the name has no such text.
    public typealias DynamicText = @Sendable (DomainName) -> [[UInt8]]?

    private let rotation: @Sendable () -> Int
    private let dynamicText: DynamicText?

    /// A responder rotating A and AAAA record sets by `rotation()`, called once per such set
    /// answered; tests inject a fixed sequence.
    ///
    /// With `dynamicText`, a name inside a served zone for which it returns strings holds one
    /// TXT record of them with TTL 0, whatever the zone holds there: a TXT (or ANY) query is
    /// answered with it and other types get NODATA. The record is never part of the zone (no
    /// serial change, no NOTIFY, not transferred). Names it returns nil for are answered from
    /// the zone as usual.
    public init(rotation: @escaping @Sendable () -> Int, dynamicText: DynamicText? = nil) {
        self.rotation = rotation
        self.dynamicText = dynamicText
    }

    /// A responder rotating by a shared `counter`.
    public init(counter: RoundRobinCounter = RoundRobinCounter(), dynamicText: DynamicText? = nil) {
        self.init(rotation: { counter.next() }, dynamicText: dynamicText)
    }

    /// The same responder with every address set in zone order: what the UDP answer cache keeps,
    /// turning the sets itself at each hit with `nextRotation()`.
    func withoutRotation() -> AuthoritativeResponder {
        AuthoritativeResponder(rotation: { 0 }, dynamicText: dynamicText)
    }

    /// The next rotation value, as one A or AAAA set answered takes it.
    func nextRotation() -> Int { rotation() }

    /// Whether some answers are computed at query time (`dynamicText`), so cannot be kept.
    var computesText: Bool { dynamicText != nil }

    /// The response to `request` from `zones` (by origin), or `nil` when nothing must be sent:
    /// the request is itself a response, and answering it could start a loop.
    public func respond(to request: DNSMessage, zones: [DomainName: Zone]) -> DNSMessage? {
        guard !request.isResponse else { return nil }
        // RD and CD are copied (RFC 1035 section 4.1.1, RFC 4035 section 3.1.6).
        var response = DNSMessage(
            id: request.id, isResponse: true, opcode: request.opcode,
            recursionDesired: request.recursionDesired, checkingDisabled: request.checkingDisabled,
            questions: request.questions)
        if let edns = request.edns {
            response.edns = edns.answer(udpPayloadSize: Self.payloadSize)
            // RFC 6891 section 6.1.3: we speak version 0 only; BADVERS before anything else.
            if edns.version != 0 {
                response.responseCode = .badVersion
                return response
            }
        }
        // NOTIFY and UPDATE are handled by other components of the server; on their own, this
        // responder implements QUERY only.
        guard request.opcode == .query else {
            response.responseCode = .notImplemented
            return response
        }
        guard request.questions.count == 1, let question = request.questions.first else {
            // Echoing thousands of questions would make the answer as large as the request
            // (8 KB over UDP without EDNS): the header says enough.
            response.questions = []
            response.responseCode = .formatError
            return response
        }
        guard question.class == .in || question.class == .any else {
            response.responseCode = .refused
            return response
        }
        switch question.type {
        case .opt, .tsig:
            // Meta types cannot be asked for (RFC 6891 section 6.1.1, RFC 8945 section 5.2).
            response.responseCode = .formatError
            return response
        case .axfr, .ixfr:
            // Zone transfers need TCP and an access check, which the server does, not this.
            response.responseCode = .refused
            return response
        case Self.mailB, Self.mailA:
            // The obsolete mail meta types (RFC 1035 section 3.2.3), as BIND answers them.
            response.responseCode = .notImplemented
            return response
        default: break
        }
        guard let zone = Self.closestZone(for: question.name, in: zones) else {
            response.responseCode = .refused
            return response
        }
        response.isAuthoritative = true
        if let dynamicText, let strings = dynamicText(question.name) {
            if question.type == .txt || question.type == .any {
                response.answers = [
                    ResourceRecord(name: question.name, class: .in, ttl: 0, data: .txt(strings))
                ]
            } else {
                response.authorities = [zone.negativeSOARecord]
            }
            return response
        }
        answer(question, from: zone, into: &response)
        if question.type == .ns { addAddresses(ofNameServersIn: &response, from: zone) }
        return response
    }

    static let mailB = RecordType(rawValue: 253)
    static let mailA = RecordType(rawValue: 254)

    /// The addresses of the name servers an NS answer names, when this zone holds them (RFC 1034
    /// section 4.3.2 step 6): a resolver needs them to use the answer. Other answers stay
    /// minimal, as BIND's `minimal-responses yes` makes them.
    private func addAddresses(ofNameServersIn response: inout DNSMessage, from zone: Zone) {
        for record in response.answers {
            guard case .ns(let server) = record.data, server.isSubdomain(of: zone.origin) else { continue }
            response.additionals += zone.recordSet(server, .a) + zone.recordSet(server, .aaaa)
        }
    }

    /// The zone whose origin is the longest suffix of `name`: a child zone served here wins over
    /// its parent.
    public static func closestZone(for name: DomainName, in zones: [DomainName: Zone]) -> Zone? {
        // With few zones (lbd serves one or two), comparing the name with each origin is
        // cheaper than hashing every suffix of the name, and allocates nothing.
        if zones.count <= Self.zoneScanLimit {
            var closest: Dictionary<DomainName, Zone>.Index?
            var depth = -1
            for index in zones.indices {
                let origin = zones.keys[index]
                if origin.wireLabels.count > depth, name.isSubdomain(of: origin) {
                    closest = index
                    depth = origin.wireLabels.count
                }
            }
            return closest.map { zones.values[$0] }
        }
        for drop in 0...name.wireLabels.count {
            if let zone = zones[name.droppingFirstLabels(drop)] { return zone }
        }
        return nil
    }

    private func answer(_ question: Question, from zone: Zone, into response: inout DNSMessage) {
        var name = question.name
        var visited: Set<DomainName> = []
        for _ in 0...Self.maximumCNAMEChain {
            guard zone.contains(name) else {
                // After a CNAME, the answer already holds data: NXDOMAIN still describes the
                // final target (RFC 6604), and the SOA tells how long to cache it.
                response.responseCode = .nameError
                var soa = zone.negativeSOARecord
                // An SOA query answered NXDOMAIN gets the SOA with TTL 0, so that it is not
                // cached in place of the zone's own SOA (BIND's zero-no-soa-ttl).
                if question.type == .soa { soa.ttl = 0 }
                response.authorities = [soa]
                return
            }
            let records =
                question.type == .any ? zone.allRecords(at: name) : zone.recordSet(name, question.type)
            if !records.isEmpty {
                // Without a CNAME before it, the set is the whole answer: no copy.
                if response.answers.isEmpty {
                    response.answers = rotated(records)
                } else {
                    response.answers += rotated(records)
                }
                return
            }
            let cname = zone.recordSet(name, .cname)
            guard let alias = cname.first, case .cname(let target) = alias.data else {
                response.authorities = [zone.negativeSOARecord]
                return
            }
            response.answers.append(alias)
            visited.insert(name)
            // A target outside this zone, or a loop, ends the chain: the resolver continues it.
            guard target.isSubdomain(of: zone.origin), !visited.contains(target) else { return }
            name = target
        }
    }

    /// `records` with each A and AAAA set turned by the next rotation value.
    private func rotated(_ records: [ResourceRecord]) -> [ResourceRecord] {
        guard records.count > 1 else { return records }
        let first = records[0].type
        if records.allSatisfy({ $0.type == first }) {
            // One set, the usual answer: returned as it is when the turn brings it back to its
            // first record, copied once otherwise.
            guard first == .a || first == .aaaa else { return records }
            let shift = rotation() % records.count
            guard shift > 0 else { return records }
            var turned: [ResourceRecord] = []
            turned.reserveCapacity(records.count)
            turned += records[shift...]
            turned += records[..<shift]
            return turned
        }
        var result: [ResourceRecord] = []
        result.reserveCapacity(records.count)
        var index = 0
        while index < records.count {
            let type = records[index].type
            var end = index + 1
            while end < records.count, records[end].type == type { end += 1 }
            if (type == .a || type == .aaaa) && end - index > 1 {
                let middle = index + rotation() % (end - index)
                result += records[middle..<end]
                result += records[index..<middle]
            } else {
                result += records[index..<end]
            }
            index = end
        }
        return result
    }
}
