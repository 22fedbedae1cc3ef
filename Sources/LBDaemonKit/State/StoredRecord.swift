import DNS

/// One resource record of a stored zone, in a readable JSON form: `{"name": "www.lb.example.",
/// "type": "A", "ttl": 60, "data": "192.0.2.1"}`. Names and addresses are written as text,
/// TXT strings and RDATA of other types as hexadecimal (TYPE123 for a type without a name).
public struct StoredRecord: Codable, Hashable, Sendable {
    public var name: String
    public var type: String
    public var ttl: UInt32
    public var data: String

    /// Why a record cannot be stored or read back.
    enum Failure: Error {
        case invalid(String)
    }

    /// The stored form of `record`; throws when it has no faithful text form (a name whose
    /// octets do not parse back, a meta type).
    init(_ record: ResourceRecord) throws(Failure) {
        name = try Self.text(of: record.name)
        ttl = record.ttl
        switch record.data {
        case .a(let address): (type, data) = ("A", "\(address)")
        case .aaaa(let address): (type, data) = ("AAAA", "\(address)")
        case .ns(let target): (type, data) = ("NS", try Self.text(of: target))
        case .cname(let target): (type, data) = ("CNAME", try Self.text(of: target))
        case .ptr(let target): (type, data) = ("PTR", try Self.text(of: target))
        case .txt(let strings): (type, data) = ("TXT", strings.map(Self.hex).joined(separator: " "))
        case .unknown(let recordType, let octets):
            (type, data) = ("TYPE\(recordType.rawValue)", Self.hex(octets))
        case .soa, .opt, .tsig, .empty:
            throw .invalid("a \(record.type) record at \(record.name) cannot be stored in a zone")
        }
    }

    /// The record this stands for.
    func record() throws(Failure) -> ResourceRecord {
        let owner = try Self.name(name)
        let value: RecordData
        switch type {
        case "A":
            guard let address = IPv4Address(data) else {
                throw .invalid("'\(data.prefix(64))' is not an IPv4 address")
            }
            value = .a(address)
        case "AAAA":
            guard let address = IPv6Address(data) else {
                throw .invalid("'\(data.prefix(64))' is not an IPv6 address")
            }
            value = .aaaa(address)
        case "NS": value = .ns(try Self.name(data))
        case "CNAME": value = .cname(try Self.name(data))
        case "PTR": value = .ptr(try Self.name(data))
        case "TXT":
            let strings = try data.split(separator: " ", omittingEmptySubsequences: false).map {
                (part) throws(Failure) -> [UInt8] in try Self.octets(hex: part)
            }
            guard strings.allSatisfy({ $0.count <= 255 }) else {
                throw .invalid("a TXT string is over 255 octets")
            }
            value = .txt(strings)
        default:
            guard type.hasPrefix("TYPE"), let number = UInt16(type.dropFirst(4)),
                ![RecordType.soa, .opt, .tsig, .a, .aaaa, .ns, .cname, .ptr, .txt].contains(
                    RecordType(rawValue: number))
            else { throw .invalid("unknown record type '\(type.prefix(16))'") }
            let octets = try Self.octets(hex: Substring(data))
            guard octets.count <= 65_535 else { throw .invalid("RDATA over 65535 octets") }
            value =
                octets.isEmpty
                ? .empty(RecordType(rawValue: number)) : .unknown(RecordType(rawValue: number), octets)
        }
        return ResourceRecord(name: owner, ttl: ttl, data: value)
    }

    /// The text of `name`, checked to parse back to the same name.
    static func text(of name: DomainName) throws(Failure) -> String {
        let text = name.description
        guard (try? DomainName(parsing: text)) == name, !text.contains("\\") else {
            throw .invalid("the name \(text) has octets that cannot be stored as text")
        }
        return text
    }

    static func name(_ text: String) throws(Failure) -> DomainName {
        do {
            return try DomainName(parsing: text)
        } catch {
            throw .invalid(
                "'\(String(text.unicodeScalars.prefix(64).filter { $0.value >= 0x20 && $0.value < 0x7F }))' is not a domain name: \(error)"
            )
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ octets: [UInt8]) -> String {
        String(decoding: octets.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
    }

    static func octets(hex text: Substring) throws(Failure) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count.isMultiple(of: 2) else { throw .invalid("hexadecimal data of odd length") }
        var octets: [UInt8] = []
        octets.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else {
                throw .invalid("hexadecimal data with a character other than 0-9 a-f")
            }
            octets.append(high << 4 | low)
            index += 2
        }
        return octets
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
