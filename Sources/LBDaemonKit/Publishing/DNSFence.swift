import DNS

/// The fencing record of a zone at the DNS server (`ha.mode: lease`): one TXT string, the
/// decimal fencing token of the lease holder that last moved it, at `_lbd-fence.<zone>`.
///
/// Every UPDATE of an instance holding the lease requires that record to hold exactly its token
/// (RFC 2136 section 2.4.2), so that once a newer holder has moved it, the server itself refuses
/// the UPDATEs of a deposed instance. Invariant: the fence only moves forward; a move is a
/// compare-and-swap on the exact RRset read, and a token never replaces a bigger one.
enum DNSFence {
    /// The label of the fencing record under the zone apex: a name of its own, so that the A
    /// and AAAA RRsets at the apex, which lbd reads and replaces, never include it.
    static let label = "_lbd-fence"

    /// The fencing record's TTL: resolvers must not keep an old fence.
    static let ttl: UInt32 = 0

    /// The fencing record's name in `zone` for the lease of `partition`: `_lbd-fence.<zone>` for
    /// the default partition, `_lbd-fence-<partition>.<zone>` for the others. Tokens count per
    /// partition, so an alias moved to another partition gets that partition's fence instead of
    /// finding a bigger token of the old one and believing itself deposed.
    static func name(in zone: DomainName, partition: String? = nil) throws(PublishingFailure) -> DomainName {
        let owner: String
        if let partition, partition.lowercased() != AliasConfiguration.defaultPartition {
            owner = "\(label)-\(partition.lowercased())"
        } else {
            owner = label
        }
        do {
            return try DomainName(parsing: "\(owner).\(zone)")
        } catch {
            throw PublishingFailure(
                .invalidAlias,
                "the fencing record's name \(owner) under \(zone) is not a domain name (partition names must fit in a DNS label): \(error)"
            )
        }
    }

    /// The record data that holds `token`: one TXT string of decimal digits.
    static func data(_ token: Int64) -> RecordData {
        .txt([Array(String(token).utf8)])
    }

    /// The token `data` holds, or nil when it is not a fence this module wrote (not TXT, not
    /// exactly one string, not only decimal digits, or out of range).
    static func token(in data: RecordData) -> Int64? {
        guard case .txt(let strings) = data, strings.count == 1, let octets = strings.first,
            !octets.isEmpty, octets.count <= 19,
            octets.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int64(String(decoding: octets, as: UTF8.self))
    }

    /// The prerequisite every UPDATE of a lease holder carries: the fence at `name` is exactly
    /// `token` (RFC 2136 section 2.4.2, "RRset exists, value dependent").
    static func requireHeld(_ token: Int64, at name: DomainName, in update: inout DNSUpdate) {
        update.requireRRset(name, equals: [data(token)])
    }

    /// What to do with the fence at `name`, whose TXT records are `current`, for an instance
    /// holding `token`.
    static func move(from current: [RecordData], to token: Int64) -> Move {
        if current.isEmpty { return .create }
        let tokens = current.compactMap(Self.token(in:))
        guard tokens.count == current.count, let newest = tokens.max() else { return .unreadable }
        if newest > token { return .deposed(by: newest) }
        if tokens == [token] { return .alreadyHeld }
        return .replace(current)
    }

    /// A step of moving the fence to a lease holder's token.
    enum Move: Hashable, Sendable {
        /// No fence yet: create it, on condition that there still is none.
        case create
        /// The fence holds older tokens: replace exactly these records.
        case replace([RecordData])
        /// The fence holds the token already.
        case alreadyHeld
        /// The fence holds a newer token: another instance holds a newer lease.
        case deposed(by: Int64)
        /// The fence holds records this module did not write.
        case unreadable
    }

    /// The compare-and-swap UPDATE of `zone` that sets the fence at `name` to `token`, on
    /// condition that it still is as `move` found it (`.create` or `.replace`); nil for the
    /// other moves, which send nothing.
    static func compareAndSwap(_ move: Move, zone: DomainName, at name: DomainName, to token: Int64)
        -> DNSUpdate?
    {
        var update = DNSUpdate(zone: zone)
        switch move {
        case .create:
            update.requireRRsetDoesNotExist(name, type: .txt)
        case .replace(let current):
            update.requireRRset(name, equals: current)
            update.deleteRRset(name, type: .txt)
        case .alreadyHeld, .deposed, .unreadable:
            return nil
        }
        update.add(name, ttl: ttl, data: data(token))
        return update
    }

    /// The fence's records as a person reads them: `"2"`, or `"2" "x y"`.
    static func describe(_ records: [RecordData]) -> String {
        guard !records.isEmpty else { return "nothing" }
        return records.map { data in
            guard case .txt(let strings) = data else { return "a \(data.type) record" }
            return strings.map { "\"\(String(decoding: $0, as: UTF8.self))\"" }.joined(separator: " ")
        }.joined(separator: ", ")
    }

    /// The UPDATE was refused on its fencing prerequisite (NXRRSET or YXRRSET): the fence is not
    /// what the UPDATE required. Thrown inside the retries, which let it through untouched.
    struct Refused: Error, Hashable, Sendable {
        var responseCode: ResponseCode
    }
}
