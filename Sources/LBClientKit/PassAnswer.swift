import LBCore

/// lbclient's answer in net-snmp's `pass` format: three lines, the OID, the type, the value.
///
/// One evaluated configuration gives an `integer`; none or several give a `string` of
/// `alias=load` pairs joined by commas, in configuration order (golbclient's format, kept byte
/// for byte).
public enum PassAnswer: Hashable, Sendable {
    case integer(Int)
    case perAlias([(alias: String, load: Int)])

    /// The value as it appears on the third line.
    public var value: String {
        switch self {
        case .integer(let load):
            return String(load)
        case .perAlias(let loads):
            return loads.map { "\($0.alias)=\($0.load)" }.joined(separator: ",")
        }
    }

    /// The three lines snmpd reads from a `pass` program, each ending with a newline.
    public var rendered: String {
        switch self {
        case .integer:
            return "\(loadReportOID)\ninteger\n\(value)\n"
        case .perAlias:
            return "\(loadReportOID)\nstring\n\(value)\n"
        }
    }

    public static func == (lhs: PassAnswer, rhs: PassAnswer) -> Bool {
        lhs.rendered == rhs.rendered
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rendered)
    }
}
