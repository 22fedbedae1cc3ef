import SNMP

/// Reads an ``AgentAccessFile`` line by line, then checks that its users and grants fit
/// together; keeps every problem with its line.
struct AgentAccessReader {
    let path: String
    let servedOID: OID
    private(set) var file = AgentAccessFile()
    private(set) var errors: [ClientConfigError] = []
    /// The line of each user's createUser and rouser, for the checks at the end.
    private var userLines: [String: Int] = [:]
    private var grantLines: [(grant: SNMPAgentAccess.UserGrant, line: Int)] = []

    init(path: String, servedOID: OID) {
        self.path = path
        self.servedOID = servedOID
    }

    mutating func read(_ rawLine: Substring, lineNumber: Int) {
        let words: [String]
        switch SnmpdConfWords.split(rawLine) {
        case .failure(let failure):
            error(lineNumber, failure.message)
            return
        case .success(let split):
            words = split
        }
        guard let directive = words.first else { return }
        let arguments = Array(words.dropFirst())
        let problem: String?
        switch directive.lowercased() {
        case "rocommunity": problem = community(arguments, family: .ipv4, directive: directive)
        case "rocommunity6": problem = community(arguments, family: .ipv6, directive: directive)
        case "createuser": problem = user(arguments, line: lineNumber)
        case "rouser": problem = grant(arguments, line: lineNumber)
        case "engineid": problem = engineID(arguments)
        case "rwcommunity", "rwcommunity6", "rwuser":
            problem = "`\(directive)`: the agent is read-only; use `ro\(directive.dropFirst(2))`"
        default:
            problem =
                "unknown directive `\(directive)`; expected rocommunity, rocommunity6, createUser, rouser or engineID"
        }
        if let problem { error(lineNumber, problem) }
    }

    /// The file, or every problem found.
    mutating func finish() -> Result<AgentAccessFile, ClientConfigErrors> {
        checkGrantsMatchUsers()
        if errors.isEmpty && file.communities.isEmpty && file.userGrants.isEmpty {
            errors.append(
                ClientConfigError(
                    file: path, message: "no rocommunity and no rouser line: nobody could query the agent"))
        }
        errors.sort { $0.line < $1.line }
        return errors.isEmpty ? .success(file) : .failure(ClientConfigErrors(errors))
    }

    private mutating func error(_ line: Int, _ message: String) {
        errors.append(ClientConfigError(file: path, line: line, message: message))
    }

    // MARK: rocommunity, rocommunity6

    /// `rocommunity COMMUNITY [SOURCE [OID]]`.
    private mutating func community(
        _ arguments: [String], family: SNMPSourceNetwork.Family, directive: String
    ) -> String? {
        if let option = arguments.first, option.hasPrefix("-") {
            return
                "\(directive): the option `\(option)` (contexts, views) is not supported; the agent has one view, the load OID"
        }
        guard let community = arguments.first, !community.isEmpty else {
            return "\(directive) needs a community name: `\(directive) COMMUNITY [SOURCE [OID]]`"
        }
        guard arguments.count <= 3 else {
            return "\(directive) takes COMMUNITY [SOURCE [OID]]; `\(arguments[3])` is one word too many"
        }
        let source: SNMPSourceNetwork
        do {
            source = try SNMPSourceNetwork(
                parsing: arguments.count >= 2 ? arguments[1] : "default", family: family)
        } catch {
            return "\(directive) \(community): \(error.message)"
        }
        if arguments.count == 3, let problem = oidProblem(arguments[2]) { return problem }
        file.communities.append(SNMPAgentAccess.CommunityGrant(community: community, source: source))
        return nil
    }

    /// Why an OID restriction cannot be honoured, or `nil` when it encloses the served object.
    private func oidProblem(_ text: String) -> String? {
        if text == "-V" || text.hasPrefix("-") {
            return "views (`-V`) are not supported; the agent serves only \(servedOID)"
        }
        guard let oid = OID(text) else {
            return
                "`\(text)` is not a numeric OID such as \(servedOID) (names need MIBs the agent does not read)"
        }
        guard servedOID.arcs.starts(with: oid.arcs) else {
            return
                "the OID \(oid) does not enclose \(servedOID), the only object the agent serves: this line would grant nothing"
        }
        return nil
    }

    // MARK: createUser

    /// `createUser NAME [AUTH-PROTOCOL PASSWORD [PRIV-PROTOCOL [PASSWORD]]]`, as net-snmp reads it.
    private mutating func user(_ arguments: [String], line: Int) -> String? {
        if let option = arguments.first, option.hasPrefix("-") {
            return
                "createUser: the option `\(option)` (engine IDs, localized or master keys) is not supported; give the password"
        }
        guard [1, 3, 4, 5].contains(arguments.count) else {
            return "expected `createUser NAME [AUTH-PROTOCOL PASSWORD [PRIV-PROTOCOL [PASSWORD]]]`"
        }
        let name = arguments[0]
        guard !name.isEmpty else { return "a user name is empty" }
        var user = USMUser(name: name)
        if arguments.count >= 3 {
            guard let method = AuthenticationProtocol(name: arguments[1]) else {
                return
                    "unknown authentication protocol `\(arguments[1])`; use MD5, SHA, SHA-256, SHA-384 or SHA-512"
            }
            guard arguments[2].count >= AgentAccessFile.minimumPasswordLength else {
                return
                    "the authentication password of \(name) is shorter than \(AgentAccessFile.minimumPasswordLength) characters"
            }
            user.authentication = .init(method, password: arguments[2])
        }
        if arguments.count >= 4 {
            guard let privacy = PrivacyProtocol(name: arguments[3]) else {
                return "unknown privacy protocol `\(arguments[3])`; use AES"
            }
            // As in snmpd.conf, the privacy password defaults to the authentication one.
            let password = arguments.count == 5 ? arguments[4] : arguments[2]
            guard password.count >= AgentAccessFile.minimumPasswordLength else {
                return
                    "the privacy password of \(name) is shorter than \(AgentAccessFile.minimumPasswordLength) characters"
            }
            user.privacy = .init(privacy, password: password)
        }
        file.users.removeAll { $0.name == name }
        file.users.append(user)
        userLines[name] = line
        return nil
    }

    // MARK: rouser

    /// `rouser NAME [noauth|auth|priv [OID]]`; the level defaults to `auth`, as in net-snmp.
    private mutating func grant(_ arguments: [String], line: Int) -> String? {
        if let option = arguments.first, option.hasPrefix("-") {
            return "rouser: the option `\(option)` (security models, views, contexts) is not supported"
        }
        guard let name = arguments.first, !name.isEmpty else {
            return "rouser needs a user name: `rouser NAME [noauth|auth|priv [OID]]`"
        }
        guard arguments.count <= 3 else {
            return "rouser takes NAME [noauth|auth|priv [OID]]; `\(arguments[3])` is one word too many"
        }
        var level = SecurityLevel.authNoPriv
        if arguments.count >= 2 {
            switch arguments[1].lowercased() {
            case "noauth": level = .noAuthNoPriv
            case "auth": level = .authNoPriv
            case "priv": level = .authPriv
            default:
                return "unknown security level `\(arguments[1])` for rouser \(name); use noauth, auth or priv"
            }
        }
        if arguments.count == 3, let problem = oidProblem(arguments[2]) { return problem }
        let grant = SNMPAgentAccess.UserGrant(userName: name, minimumLevel: level)
        file.userGrants.append(grant)
        grantLines.append((grant, line))
        return nil
    }

    /// Every rouser names a createUser that can reach its level, and every user has a rouser:
    /// otherwise nobody could read as that user, which is surely not what the file means.
    private mutating func checkGrantsMatchUsers() {
        let users = Dictionary(file.users.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        for (grant, line) in grantLines {
            guard let user = users[grant.userName] else {
                error(
                    line,
                    "rouser \(grant.userName): there is no `createUser \(grant.userName) ...` line in this file"
                )
                continue
            }
            if Self.rank(grant.minimumLevel) > Self.rank(user.securityLevel) {
                error(
                    line,
                    "rouser \(grant.userName) requires \(Self.word(grant.minimumLevel)), but createUser \(grant.userName) gives it "
                        + "\(user.securityLevel == .noAuthNoPriv ? "no authentication" : "no privacy"): nobody could read as \(grant.userName)"
                )
            }
        }
        let granted = Set(file.userGrants.map(\.userName))
        for user in file.users where !granted.contains(user.name) {
            error(
                userLines[user.name] ?? 0,
                "createUser \(user.name) has no `rouser \(user.name)` line: net-snmp would give it no access; add `rouser \(user.name) \(Self.word(user.securityLevel))`"
            )
        }
    }

    private static func rank(_ level: SecurityLevel) -> Int {
        SecurityLevel.allCases.firstIndex(of: level) ?? 0
    }

    private static func word(_ level: SecurityLevel) -> String {
        switch level {
        case .noAuthNoPriv: return "noauth"
        case .authNoPriv: return "auth"
        case .authPriv: return "priv"
        }
    }

    // MARK: engineID

    private mutating func engineID(_ arguments: [String]) -> String? {
        guard arguments.count == 1, let bytes = Self.hexBytes(arguments[0]), (5...32).contains(bytes.count)
        else {
            return "engineID needs 5 to 32 bytes in hex, such as 0x8000006004deadbeef"
        }
        file.engineID = bytes
        return nil
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
