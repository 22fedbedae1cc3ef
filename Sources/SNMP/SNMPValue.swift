/// A value in a variable binding (RFC 2578 SMI types, RFC 3416 exceptions).
public enum SNMPValue: Hashable, Sendable {
    case integer(Int32)
    case octetString([UInt8])
    case null
    case objectIdentifier(OID)
    case ipAddress(UInt8, UInt8, UInt8, UInt8)
    case counter32(UInt32)
    case gauge32(UInt32)
    case timeTicks(UInt32)
    case opaque([UInt8])
    case counter64(UInt64)
    /// The agent knows no object at this OID (v2c/v3).
    case noSuchObject
    /// The object exists but not this instance (v2c/v3).
    case noSuchInstance
    /// A GETNEXT walked past the last object (v2c/v3).
    case endOfMibView

    /// An OCTET STRING holding UTF-8 text.
    public static func string(_ text: String) -> SNMPValue {
        .octetString(Array(text.utf8))
    }

    /// Whether this is one of the three exceptions rather than a value.
    public var isException: Bool {
        switch self {
        case .noSuchObject, .noSuchInstance, .endOfMibView: return true
        default: return false
        }
    }

    /// The type name net-snmp prints (`INTEGER`, `STRING`...).
    public var typeName: String {
        switch self {
        case .integer: return "INTEGER"
        case .octetString: return "STRING"
        case .null: return "NULL"
        case .objectIdentifier: return "OID"
        case .ipAddress: return "IpAddress"
        case .counter32: return "Counter32"
        case .gauge32: return "Gauge32"
        case .timeTicks: return "Timeticks"
        case .opaque: return "Opaque"
        case .counter64: return "Counter64"
        case .noSuchObject: return "noSuchObject"
        case .noSuchInstance: return "noSuchInstance"
        case .endOfMibView: return "endOfMibView"
        }
    }

    func encode(into writer: inout BERWriter) {
        switch self {
        case .integer(let value): writer.writeInteger(Int64(value))
        case .octetString(let bytes): writer.writeOctetString(bytes)
        case .null: writer.writeNull()
        case .objectIdentifier(let oid): writer.writeOID(oid)
        case .ipAddress(let a, let b, let c, let d):
            writer.writeFourOctets(tag: BERTag.ipAddress, a, b, c, d)
        case .counter32(let value): writer.writeUnsigned(UInt64(value), tag: BERTag.counter32)
        case .gauge32(let value): writer.writeUnsigned(UInt64(value), tag: BERTag.gauge32)
        case .timeTicks(let value): writer.writeUnsigned(UInt64(value), tag: BERTag.timeTicks)
        case .opaque(let bytes): writer.write(tag: BERTag.opaque, contents: bytes)
        case .counter64(let value): writer.writeUnsigned(value, tag: BERTag.counter64)
        case .noSuchObject: writer.writeNull(tag: BERTag.noSuchObject)
        case .noSuchInstance: writer.writeNull(tag: BERTag.noSuchInstance)
        case .endOfMibView: writer.writeNull(tag: BERTag.endOfMibView)
        }
    }

    /// The octets `encode(into:)` writes, computed without writing them.
    var encodedSize: Int {
        let contents: Int
        switch self {
        case .integer(let value): contents = BERWriter.signedContentSize(Int64(value))
        case .octetString(let bytes), .opaque(let bytes): contents = bytes.count
        case .null, .noSuchObject, .noSuchInstance, .endOfMibView: contents = 0
        case .objectIdentifier(let oid): contents = BERWriter.oidContentSize(oid)
        case .ipAddress: contents = 4
        case .counter32(let value), .gauge32(let value), .timeTicks(let value):
            contents = BERWriter.unsignedContentSize(UInt64(value))
        case .counter64(let value): contents = BERWriter.unsignedContentSize(value)
        }
        return BERWriter.elementSize(contentSize: contents)
    }

    static func decode(from reader: inout BERReader) throws(SNMPDecodingError) -> SNMPValue {
        let start = reader.position
        let (tag, contents) = try reader.readElement()
        let body = reader.slice(contents)
        func unsigned(bits: Int) throws(SNMPDecodingError) -> UInt64 {
            try BERReader.unsignedInteger(body, bits: bits, offset: start)
        }
        switch tag {
        case BERTag.integer:
            let value = try BERReader.signedInteger(body, offset: start)
            guard let narrow = Int32(exactly: value) else {
                throw .badValue("INTEGER (over 32 bits)", offset: start)
            }
            return .integer(narrow)
        case BERTag.octetString: return .octetString(Array(body))
        case BERTag.null:
            guard body.isEmpty else { throw .badValue("NULL", offset: start) }
            return .null
        case BERTag.objectIdentifier:
            return .objectIdentifier(try BERReader.objectIdentifier(body, offset: start))
        case BERTag.ipAddress:
            guard body.count == 4 else { throw .badValue("IpAddress", offset: start) }
            let octets = Array(body)
            return .ipAddress(octets[0], octets[1], octets[2], octets[3])
        case BERTag.counter32: return .counter32(UInt32(try unsigned(bits: 32)))
        case BERTag.gauge32: return .gauge32(UInt32(try unsigned(bits: 32)))
        case BERTag.timeTicks: return .timeTicks(UInt32(try unsigned(bits: 32)))
        case BERTag.opaque: return .opaque(Array(body))
        case BERTag.counter64: return .counter64(try unsigned(bits: 64))
        case BERTag.noSuchObject, BERTag.noSuchInstance, BERTag.endOfMibView:
            guard body.isEmpty else { throw .badValue("exception", offset: start) }
            return tag == BERTag.noSuchObject
                ? .noSuchObject : tag == BERTag.noSuchInstance ? .noSuchInstance : .endOfMibView
        default:
            throw .badValue("value type 0x\(String(tag, radix: 16))", offset: start)
        }
    }
}

/// An OID and its value.
public struct VariableBinding: Hashable, Sendable {
    public var oid: OID
    public var value: SNMPValue

    public init(oid: OID, value: SNMPValue = .null) {
        self.oid = oid
        self.value = value
    }

    /// The octets of this binding's SEQUENCE as a PDU encodes it, computed without encoding.
    var encodedSize: Int {
        BERWriter.elementSize(
            contentSize: BERWriter.elementSize(contentSize: BERWriter.oidContentSize(oid)) + value.encodedSize
        )
    }
}
