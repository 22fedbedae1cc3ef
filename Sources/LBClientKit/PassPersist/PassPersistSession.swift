import LBCore
import SNMP

/// net-snmp's `pass_persist` protocol, one conversation with snmpd.
///
/// snmpd writes commands on the program's stdin, one word per line: `PING` (answered `PONG`),
/// `get` or `getnext` followed by an OID line, `set` followed by an OID line and a `TYPE VALUE`
/// line. An empty line or end of input ends the conversation. Only the load OID exists:
/// GETNEXT from anything before it gives it, anything else is `NONE`.
public struct PassPersistSession: Sendable {
    private enum Pending: Sendable {
        case command
        case oid(forNext: Bool)
        case setOID
        case setValue
    }

    private var pending: Pending = .command
    private let loadOID = OID(loadReportOID)!

    public init() {}

    /// What to do after reading a line.
    public enum Step: Sendable, Equatable {
        /// Write these lines (each ending with a newline).
        case reply(String)
        /// Evaluate (or look up) the answer and write it for this OID.
        case answer(oid: String)
        /// Nothing to write yet; read the next line.
        case readMore
        /// snmpd ended the conversation.
        case finish
    }

    /// Feeds one line read from snmpd (without its line end).
    public mutating func receive(_ line: String) -> Step {
        let text = line.trimmed
        switch pending {
        case .command:
            switch text.lowercased() {
            case "": return .finish
            case "ping": return .reply("PONG\n")
            case "get":
                pending = .oid(forNext: false)
                return .readMore
            case "getnext":
                pending = .oid(forNext: true)
                return .readMore
            case "set":
                pending = .setOID
                return .readMore
            default:
                // An unknown command: answer something snmpd understands rather than stall it.
                return .reply("NONE\n")
            }
        case .oid(let forNext):
            pending = .command
            guard let requested = OID(text.hasPrefix(".") ? text : "." + text) else {
                return .reply("NONE\n")
            }
            if forNext ? requested < loadOID : requested == loadOID {
                return .answer(oid: loadReportOID)
            }
            return .reply("NONE\n")
        case .setOID:
            pending = .setValue
            return .readMore
        case .setValue:
            pending = .command
            return .reply("not-writable\n")
        }
    }
}
