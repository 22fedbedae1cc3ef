/// The BER identifier octets SNMP uses (RFC 3416 section 3, X.690).
public enum BERTag {
    public static let integer: UInt8 = 0x02
    public static let octetString: UInt8 = 0x04
    public static let null: UInt8 = 0x05
    public static let objectIdentifier: UInt8 = 0x06
    public static let sequence: UInt8 = 0x30

    // Application types (RFC 2578 section 7.1).
    public static let ipAddress: UInt8 = 0x40
    public static let counter32: UInt8 = 0x41
    public static let gauge32: UInt8 = 0x42
    public static let timeTicks: UInt8 = 0x43
    public static let opaque: UInt8 = 0x44
    public static let counter64: UInt8 = 0x46

    // Exceptions in a response variable binding (RFC 3416 section 3).
    public static let noSuchObject: UInt8 = 0x80
    public static let noSuchInstance: UInt8 = 0x81
    public static let endOfMibView: UInt8 = 0x82
}
