/// Applies an RFC 2136 UPDATE to one zone version, without I/O or locking: checks the zone
/// section (section 3.1), the prerequisites (section 3.2), prescans the updates (section 3.4.1),
/// then applies them (section 3.4.2) to give the next zone version or the RCODE to answer.
/// Authentication (TSIG) is checked by the caller before.
enum ZoneUpdateProcessor {
    /// The zone an UPDATE names (section 3.1.1): exactly one zone-section entry, of type SOA and
    /// class IN; otherwise FORMERR.
    static func zoneName(of request: DNSMessage) -> Result<DomainName, UpdateFailure> {
        guard request.questions.count == 1, let zone = request.questions.first, zone.type == .soa,
            zone.class == .in
        else { return .failure(UpdateFailure(.formatError)) }
        return .success(zone.name)
    }

    /// The zone after `request`'s updates, or the RCODE that refuses them. The returned zone has
    /// `zone`'s serial: the store gives it the next one when anything changed.
    static func apply(_ request: DNSMessage, to zone: Zone) -> Result<Zone, UpdateFailure> {
        if let code = checkPrerequisites(request.answers, in: zone) { return .failure(UpdateFailure(code)) }
        if let code = prescan(request.authorities, in: zone) { return .failure(UpdateFailure(code)) }
        var table = zone.records
        var soa = zone.soa
        for update in request.authorities {
            apply(update, origin: zone.origin, table: &table, soa: &soa)
        }
        let records = table.values.flatMap { $0.values.flatMap { $0 } }
        do {
            return .success(try Zone(origin: zone.origin, soa: soa, soaTTL: zone.soaTTL, records: records))
        } catch {
            return .failure(UpdateFailure(.serverFailure))
        }
    }

    // MARK: Prerequisites (section 3.2)

    static func checkPrerequisites(_ prerequisites: [ResourceRecord], in zone: Zone) -> ResponseCode? {
        // RRsets that must exist with exactly these records, by name and type (section 3.2.3).
        var required: [DomainName: [RecordType: [RecordData]]] = [:]
        for prerequisite in prerequisites {
            guard prerequisite.ttl == 0 else { return .formatError }
            guard prerequisite.name.isSubdomain(of: zone.origin) else { return .notZone }
            let name = prerequisite.name
            let type = prerequisite.type
            switch prerequisite.class {
            case .any:
                guard case .empty = prerequisite.data else { return .formatError }
                if type == .any {
                    if zone.allRecords(at: name).isEmpty { return .nameError }
                } else if zone.recordSet(name, type).isEmpty {
                    return .nxRRSet
                }
            case .none:
                guard case .empty = prerequisite.data else { return .formatError }
                if type == .any {
                    if !zone.allRecords(at: name).isEmpty { return .yxDomain }
                } else if !zone.recordSet(name, type).isEmpty {
                    return .yxRRSet
                }
            case .in:
                if case .empty = prerequisite.data { return .formatError }
                guard !isMetaType(type) else { return .formatError }
                required[name, default: [:]][type, default: []].append(prerequisite.data)
            default:
                return .formatError
            }
        }
        for (name, types) in required {
            for (type, data) in types {
                let present = zone.recordSet(name, type).map(\.data)
                guard Set(present) == Set(data) else { return .nxRRSet }
            }
        }
        return nil
    }

    // MARK: Updates (section 3.4)

    /// Section 3.4.1: every update must be in the zone and well formed before any is applied.
    static func prescan(_ updates: [ResourceRecord], in zone: Zone) -> ResponseCode? {
        for update in updates {
            guard update.name.isSubdomain(of: zone.origin) else { return .notZone }
            let type = update.type
            switch update.class {
            case .in:
                if case .empty = update.data { return .formatError }
                guard !isMetaType(type), type != .any else { return .formatError }
                switch update.data {
                case .opt, .tsig: return .formatError
                default: break
                }
            case .any:
                guard update.ttl == 0, case .empty = update.data, !isMetaType(type) else {
                    return .formatError
                }
            case .none:
                guard update.ttl == 0, !isMetaType(type), type != .any else { return .formatError }
                if case .empty = update.data { return .formatError }
            default:
                return .formatError
            }
        }
        return nil
    }

    /// Section 3.4.2: one update, ignored where the RFC says so.
    private static func apply(
        _ update: ResourceRecord, origin: DomainName,
        table: inout [DomainName: [RecordType: [ResourceRecord]]],
        soa: inout StartOfAuthority
    ) {
        let name = update.name
        let type = update.type
        let isApex = name == origin
        switch update.class {
        case .in:
            if case .soa(let newSOA) = update.data {
                // Only the apex SOA, and only to a newer serial (section 3.4.2.2).
                if isApex && SerialNumber.isGreater(newSOA.serial, than: soa.serial) { soa = newSOA }
                return
            }
            let existing = table[name] ?? [:]
            if type == .cname {
                // A CNAME replaces a CNAME, and is not added beside other data.
                if existing.keys.contains(where: { $0 != .cname }) { return }
                table[name, default: [:]][.cname] = [
                    ResourceRecord(name: name, ttl: update.ttl, data: update.data)
                ]
                return
            }
            if existing[.cname] != nil { return }
            var set = existing[type] ?? []
            let record = ResourceRecord(name: name, ttl: update.ttl, data: update.data)
            if let index = set.firstIndex(where: { $0.data == update.data }) {
                set[index] = record
            } else {
                set.append(record)
            }
            // One TTL per RRset (RFC 2181 section 5.2): the added record's.
            table[name, default: [:]][type] = set.map {
                ResourceRecord(name: $0.name, ttl: update.ttl, data: $0.data)
            }
        case .any:
            if type == .any {
                if isApex {
                    table[name] = table[name]?.filter { $0.key == .ns }
                } else {
                    table[name] = nil
                }
            } else {
                if isApex && (type == .soa || type == .ns) { return }
                table[name]?[type] = nil
            }
        case .none:
            if type == .soa { return }
            guard var set = table[name]?[type] else { return }
            // The last NS of the apex stays (section 3.4.2.4).
            if isApex && type == .ns && set.count == 1 && set[0].data == update.data { return }
            set.removeAll { $0.data == update.data }
            table[name]?[type] = set.isEmpty ? nil : set
        default:
            return
        }
        if table[name]?.isEmpty == true { table[name] = nil }
    }

    /// AXFR, IXFR, MAILA, MAILB, OPT and TSIG cannot be added, deleted or required.
    private static func isMetaType(_ type: RecordType) -> Bool {
        type == .axfr || type == .ixfr || type.rawValue == 253 || type.rawValue == 254 || type == .opt
            || type == .tsig
    }
}

/// Why an UPDATE is refused: the RCODE of the answer.
struct UpdateFailure: Error, Hashable, Sendable {
    let code: ResponseCode

    init(_ code: ResponseCode) { self.code = code }
}
