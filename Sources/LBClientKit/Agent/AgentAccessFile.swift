import SNMP

/// Who may query lbclient's own SNMP agent (`lbclient agent --snmp-config FILE`).
///
/// The syntax is the subset of snmpd.conf an operator already knows, so the lines can be copied
/// from an existing snmpd configuration:
///
/// ```
/// rocommunity public                                  # v1/v2c community (source ignored)
/// createUser loadbalancing MD5 "secret password"      # v3 user, authNoPriv
/// createUser monitor SHA-256 authpass123 AES privpass123
/// rouser loadbalancing                                # accepted; the level follows createUser
/// engineID 0x8000006004deadbeef                       # optional, hex; default: a new random one
/// ```
public struct AgentAccessFile: Sendable, Hashable {
    public var communities: [String] = []
    public var users: [USMUser] = []
    /// The engine ID, when the file fixes one.
    public var engineID: [UInt8]?

    public init(communities: [String] = [], users: [USMUser] = [], engineID: [UInt8]? = nil) {
        self.communities = communities
        self.users = users
        self.engineID = engineID
    }

    /// net-snmp refuses shorter USM passwords, and so do we.
    public static let minimumPasswordLength = 8

    /// Parses the file's text; every problem is reported with its line.
    public static func parse(_ text: String, path: String) -> Result<AgentAccessFile, ClientConfigErrors> {
        var file = AgentAccessFile()
        var errors: [ClientConfigError] = []
        var lineNumber = 0
        for rawLine in textLines(text) {
            lineNumber += 1
            let words: [String]
            switch Self.words(String(rawLine)) {
            case .failure(let failure):
                errors.append(ClientConfigError(file: path, line: lineNumber, message: failure.message))
                continue
            case .success(let split):
                words = split
            }
            guard let directive = words.first else { continue }
            let problem: String?
            switch directive.lowercased() {
            case "rocommunity", "rocommunity6":
                if words.count >= 2 {
                    file.communities.append(words[1])
                    problem = nil
                } else {
                    problem = "\(directive) needs a community name"
                }
            case "createuser":
                switch user(words) {
                case .success(let user):
                    file.users.removeAll { $0.name == user.name }
                    file.users.append(user)
                    problem = nil
                case .failure(let failure): problem = failure.message
                }
            case "rouser":
                problem = words.count >= 2 ? nil : "rouser needs a user name"
            case "engineid":
                if words.count == 2, let bytes = hexBytes(words[1]), (5...32).contains(bytes.count) {
                    file.engineID = bytes
                    problem = nil
                } else {
                    problem = "engineID needs 5 to 32 bytes in hex, such as 0x8000006004deadbeef"
                }
            default:
                problem =
                    "unknown directive `\(directive)`; expected rocommunity, createUser, rouser or engineID"
            }
            if let problem {
                errors.append(ClientConfigError(file: path, line: lineNumber, message: problem))
            }
        }
        if errors.isEmpty && file.communities.isEmpty && file.users.isEmpty {
            errors.append(
                ClientConfigError(
                    file: path, message: "no rocommunity and no createUser: nobody could query the agent"))
        }
        return errors.isEmpty ? .success(file) : .failure(ClientConfigErrors(errors))
    }

    private static func user(_ words: [String]) -> Result<USMUser, Problem> {
        guard words.count == 2 || words.count == 4 || words.count == 6 || words.count == 5 else {
            return .failure(
                Problem("expected `createUser NAME [AUTH-PROTOCOL PASSWORD [PRIV-PROTOCOL [PASSWORD]]]`"))
        }
        guard !words[1].isEmpty else { return .failure(Problem("a user name is empty")) }
        var user = USMUser(name: words[1])
        guard words.count >= 4 else { return .success(user) }
        guard let method = AuthenticationProtocol(name: words[2]) else {
            return .failure(
                Problem(
                    "unknown authentication protocol `\(words[2])`; use MD5, SHA, SHA-256, SHA-384 or SHA-512"
                ))
        }
        guard words[3].count >= minimumPasswordLength else {
            return .failure(
                Problem(
                    "the authentication password of \(words[1]) is shorter than \(minimumPasswordLength) characters"
                ))
        }
        user.authentication = .init(method, password: words[3])
        guard words.count >= 5 else { return .success(user) }
        guard let privacy = PrivacyProtocol(name: words[4]) else {
            return .failure(Problem("unknown privacy protocol `\(words[4])`; use AES"))
        }
        // As in snmpd.conf, the privacy password defaults to the authentication one.
        let password = words.count == 6 ? words[5] : words[3]
        guard password.count >= minimumPasswordLength else {
            return .failure(
                Problem(
                    "the privacy password of \(words[1]) is shorter than \(minimumPasswordLength) characters")
            )
        }
        user.privacy = .init(privacy, password: password)
        return .success(user)
    }

    /// Blank-separated words; double quotes group words, `#` outside quotes starts a comment.
    static func words(_ line: String) -> Result<[String], Problem> {
        var words: [String] = []
        var current = ""
        var inQuotes = false
        var hasWord = false
        for character in line {
            if inQuotes {
                if character == "\"" { inQuotes = false } else { current.append(character) }
            } else if character == "\"" {
                inQuotes = true
                hasWord = true
            } else if character == "#" {
                break
            } else if character.isWhitespace {
                if hasWord { words.append(current) }
                current = ""
                hasWord = false
            } else {
                current.append(character)
                hasWord = true
            }
        }
        if inQuotes { return .failure(Problem("a quote is not closed")) }
        if hasWord { words.append(current) }
        return .success(words)
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var digits = Substring(text.lowercased())
        if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
