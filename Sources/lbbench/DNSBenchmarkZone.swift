import DNS
import LBCore

/// The zone both servers answer in `lbbench dns`, as lbd publishes it: `lb.example.` with a SOA,
/// one NS and, for each alias `aliasNNNN`, two A records and one AAAA record (TTL 60); and the
/// queries dnsperf sends. The invariant: `zone` and `zoneFile` hold the same records.
struct DNSBenchmarkZone {
    static let origin = try! DomainName(parsing: "lb.example.")
    static let ttl: UInt32 = 60

    let aliases: Int
    /// The zone for our server.
    let zone: Zone
    /// The same zone in RFC 1035 master file form, for knotd.
    let zoneFile: String

    /// A zone with aliases 1...`aliases` (at most 65,535, so the addresses stay distinct).
    init(aliases: Int) throws {
        self.aliases = aliases
        let soa = StartOfAuthority(
            primaryServer: try DomainName(parsing: "ns.lb.example."),
            responsibleMailbox: try DomainName(parsing: "hostmaster.lb.example."), serial: 1, refresh: 3600,
            retry: 600, expire: 86400, minimum: Self.ttl)
        var lines = [
            "$ORIGIN lb.example.", "$TTL \(Self.ttl)",
            "@ IN SOA ns.lb.example. hostmaster.lb.example. 1 3600 600 86400 \(Self.ttl)",
            "@ IN NS ns.lb.example.", "ns IN A 127.0.0.1",
        ]
        var records = [
            ResourceRecord(name: Self.origin, ttl: Self.ttl, data: .ns(soa.primaryServer)),
            ResourceRecord(name: soa.primaryServer, ttl: Self.ttl, data: .a(IPv4Address(127, 0, 0, 1))),
        ]
        for index in 1...aliases {
            let label = Self.label(index)
            let name = try DomainName(parsing: "\(label).lb.example.")
            for address in Self.addresses(index) {
                lines.append("\(label) IN A \(address)")
                records.append(ResourceRecord(name: name, ttl: Self.ttl, data: .a(address)))
            }
            let address = Self.address6(index)
            lines.append("\(label) IN AAAA \(address)")
            records.append(ResourceRecord(name: name, ttl: Self.ttl, data: .aaaa(address)))
        }
        zone = try Zone(origin: Self.origin, soa: soa, soaTTL: Self.ttl, records: records)
        zoneFile = lines.joined(separator: "\n") + "\n"
    }

    /// `alias0001`, `alias0002`... `alias12345`.
    static func label(_ index: Int) -> String {
        let digits = String(index)
        return "alias" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The two IPv4 addresses of alias `index`: two nodes of the cluster.
    static func addresses(_ index: Int) -> [IPv4Address] {
        let high = UInt8(truncatingIfNeeded: index >> 8)
        let low = UInt8(truncatingIfNeeded: index)
        return [IPv4Address(10, 1, high, low), IPv4Address(10, 2, high, low)]
    }

    /// The IPv6 address of alias `index`.
    static func address6(_ index: Int) -> IPv6Address {
        IPv6Address("2001:db8::\(String(index, radix: 16)):1")!
    }

    /// `count` dnsperf query lines (`name type`): A for two queries in three and AAAA for the
    /// third over random aliases, and one in twenty for a name that does not exist (NXDOMAIN).
    /// The same `seed` gives the same lines.
    func queryLines(count: Int, seed: UInt64) -> [String] {
        var random = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { _ in
            let draw = random.next()
            if draw % 20 == 0 { return "missing\(random.next() % 1_000_000).lb.example. A" }
            let alias = Self.label(Int(random.next() % UInt64(aliases)) + 1)
            return "\(alias).lb.example. \(draw % 3 == 0 ? "AAAA" : "A")"
        }
    }
}
