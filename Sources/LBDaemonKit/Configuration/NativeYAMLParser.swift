import DNS
import LBCore
import SNMP
import Yams

/// Reads lbd's own YAML format (docs/configuration.md): everything golbd's formats can say, with
/// explicit defaults, plus SNMP, DNS views, HA, partitions and HTTP settings.
struct NativeYAMLParser {
    static let topLevelKeys = [
        "version", "partition", "defaults", "aliases", "dns", "snmp", "ha", "http", "reload", "history",
    ]
    static let parameterKeys = [
        "best_hosts", "when_none_usable", "metric", "polling_interval", "ttl", "external",
        "stickiness", "rise", "fall", "min_usable", "below_min_usable", "max_changes",
    ]
    static let aliasKeys = ["members"] + parameterKeys + ["partition", "haproxy"]

    let diagnostics: Diagnostics
    private var reader: YAMLReader { YAMLReader(diagnostics: diagnostics) }

    func parse(_ root: [YAMLReader.Entry]) -> Configuration {
        reader.rejectUnknownKeys(root, known: Self.topLevelKeys, "configuration") { key in
            GolbdYAMLParser.topLevelKeys.contains(key)
                ? "a golbd key: a file is either in golbd's YAML format or in lbd's, not both" : nil
        }
        var configuration = Configuration()
        var defaults = AliasParameters()
        var defaultPartition = AliasConfiguration.defaultPartition
        var aliasesEntry: YAMLReader.Entry?
        for entry in root where !reader.isNull(entry.value) {
            switch entry.key {
            case "version":
                _ = reader.value(entry.value, "version") { text throws(ConfigurationMessage) in
                    guard text == "1" else {
                        throw ConfigurationMessage("version must be 1, not '\(text.prefix(20))'")
                    }
                }
            case "partition":
                configuration.partition = reader.value(entry.value, "partition", Self.partitionName)
            case "defaults":
                if let fields = reader.mapping(entry.value, "defaults") {
                    reader.rejectUnknownKeys(fields, known: Self.parameterKeys + ["partition"], "defaults")
                    readParameters(fields, into: &defaults)
                    if let partition = fields.first(where: { $0.key == "partition" }),
                        let name = reader.value(partition.value, "partition", Self.partitionName)
                    {
                        defaultPartition = name
                    }
                }
            case "aliases": aliasesEntry = entry
            case "dns": configuration.dns = readDNS(entry.value)
            case "snmp": configuration.snmp = readSNMP(entry.value)
            case "ha": configuration.ha = readHA(entry.value)
            case "http": configuration.http = readHTTP(entry.value)
            case "reload": configuration.reload = readReload(entry.value)
            case "history": configuration.history = HistoryReader(reader: reader).read(entry.value)
            default: break
            }
        }
        var drafts: [AliasDraft] = []
        if let aliasesEntry, let aliases = reader.mapping(aliasesEntry.value, "aliases") {
            drafts = aliases.map { readAlias($0, defaults: defaults, partition: defaultPartition) }
        }
        configuration.aliases = AliasValidator(diagnostics: diagnostics, missingMembers: .reject).validate(
            drafts)
        HAProxySettingsReader(reader: reader).checkSharedBackends(configuration.aliases, drafts: drafts)
        if let zone = configuration.dns.embedded?.zone {
            EmbeddedDNSReader(reader: reader).checkAliases(configuration.aliases, drafts: drafts, zone: zone)
        }
        if let partition = configuration.partition, !configuration.aliases.isEmpty,
            !configuration.aliases.contains(where: { $0.partition == partition }),
            let entry = root.first(where: { $0.key == "partition" })
        {
            reader.warning(
                "no alias is in partition '\(partition)': this instance would serve nothing, and lbd run refuses that",
                at: entry.value)
        }
        return configuration
    }

    // MARK: - Aliases

    private func readAlias(_ entry: YAMLReader.Entry, defaults: AliasParameters, partition: String)
        -> AliasDraft
    {
        var draft = AliasDraft(name: entry.key, location: reader.location(entry.keyNode))
        draft.parameters = defaults
        draft.parametersLocation = draft.location
        draft.partition = partition
        let what = "alias '\(AliasConfiguration.normalisedName(entry.key))'"
        if case .sequence = entry.value {
            draft.members = members(entry.value, what)
            return draft
        }
        guard !reader.isNull(entry.value), let fields = reader.mapping(entry.value, what) else {
            return draft
        }
        reader.rejectUnknownKeys(fields, known: Self.aliasKeys, what)
        readParameters(fields, into: &draft.parameters)
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "members": draft.members = members(field.value, "the members of \(what)")
            case "partition":
                draft.partition = reader.value(field.value, "partition", Self.partitionName) ?? partition
            case "haproxy":
                draft.haproxy = HAProxySettingsReader(reader: reader).read(
                    field.value, alias: AliasConfiguration.normalisedName(entry.key))
            default: break
            }
        }
        return draft
    }

    private func members(_ node: Node, _ what: String) -> [AliasDraft.Member]? {
        reader.scalarList(node, what)?.map {
            AliasDraft.Member(name: $0.text, location: reader.location($0.node))
        }
    }

    private func readParameters(_ fields: [YAMLReader.Entry], into parameters: inout AliasParameters) {
        var policyKey: YAMLReader.Entry?
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "best_hosts":
                parameters.bestHosts =
                    reader.value(field.value, "best_hosts", ConfigurationValues.bestHosts)
                    ?? parameters.bestHosts
            case "when_none_usable", "metric":
                let parse = field.key == "metric" ? ConfigurationValues.metric : ConfigurationValues.policy
                guard let policy = reader.value(field.value, field.key, parse) else { continue }
                if let earlier = policyKey {
                    reader.error(
                        "give either metric or when_none_usable, not both (\(earlier.key) is on line "
                            + "\(earlier.keyNode.mark?.line ?? 0))", at: field.keyNode)
                    continue
                }
                policyKey = field
                parameters.whenNoneUsable = policy
            case "polling_interval":
                parameters.pollingInterval =
                    reader.value(field.value, field.key) { text throws(ConfigurationMessage) in
                        try ConfigurationValues.seconds(text, key: "polling_interval", minimum: 1)
                    } ?? parameters.pollingInterval
            case "ttl":
                let ttl = reader.value(field.value, field.key) { text throws(ConfigurationMessage) in
                    try ConfigurationValues.seconds(text, key: "ttl", minimum: 0)
                }
                if let ttl {
                    parameters.ttl = ttl
                    if ttl > 0, ttl < AliasParameters.minimumTTL {
                        reader.warning("ttl \(ttl) is below 60 s; 60 is published", at: field.value)
                    }
                }
            case "external":
                parameters.external =
                    reader.value(field.value, field.key) { text throws(ConfigurationMessage) in
                        try ConfigurationValues.boolean(text, key: "external")
                    } ?? parameters.external
            case "stickiness":
                parameters.stickiness =
                    reader.value(field.value, field.key, ConfigurationValues.stickiness)
                    ?? parameters.stickiness
            case "rise", "fall":
                let count = reader.value(field.value, field.key) { text throws(ConfigurationMessage) in
                    try ConfigurationValues.integer(text, key: field.key, in: 1...100)
                }
                if let count, field.key == "rise" { parameters.rise = count }
                if let count, field.key == "fall" { parameters.fall = count }
            case "min_usable":
                parameters.minUsable =
                    reader.value(field.value, field.key, ConfigurationValues.minimumUsable)
                    ?? parameters.minUsable
            case "below_min_usable":
                parameters.belowMinimum =
                    reader.value(field.value, field.key, ConfigurationValues.belowMinimum)
                    ?? parameters.belowMinimum
            case "max_changes":
                parameters.maxChanges =
                    reader.value(field.value, field.key) { text throws(ConfigurationMessage) in
                        try ConfigurationValues.integer(text, key: "max_changes", in: 1...10_000)
                    } ?? parameters.maxChanges
            default:
                break
            }
        }
    }

    static func partitionName(_ text: String) throws(ConfigurationMessage) -> String {
        guard !text.isEmpty, text.count <= 63,
            text.allSatisfy({
                $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".")
            })
        else {
            throw ConfigurationMessage("a partition name is 1 to 63 letters, digits, '-', '_' or '.'")
        }
        return text
    }

    // MARK: - Settings

    private func readDNS(_ node: Node) -> DNSSettings {
        var dns = DNSSettings()
        guard let fields = reader.mapping(node, "dns") else { return dns }
        reader.rejectUnknownKeys(
            fields, known: ["server", "timeout", "retries", "max_concurrent_updates", "views", "embedded"],
            "dns")
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "server": dns.server = reader.value(field.value, "dns server", Self.dnsServer)
            case "timeout": dns.timeout = duration(field, "dns timeout", positive: true) ?? dns.timeout
            case "retries": dns.retries = integer(field, "dns retries", 0...10) ?? dns.retries
            case "max_concurrent_updates":
                dns.maxConcurrentUpdates =
                    integer(field, "max_concurrent_updates", 1...1000) ?? dns.maxConcurrentUpdates
            case "views":
                guard let views = reader.mapping(field.value, "dns views") else { continue }
                reader.rejectUnknownKeys(views, known: ["internal", "external"], "dns views")
                for view in views where !reader.isNull(view.value) {
                    if view.key == "internal" { dns.internalView = readView(view) }
                    if view.key == "external" { dns.externalView = readView(view) }
                }
            case "embedded": dns.embedded = EmbeddedDNSReader(reader: reader).read(field.value)
            default: break
            }
        }
        return dns
    }

    private func readView(_ entry: YAMLReader.Entry) -> DNSView? {
        let what = "dns view \(entry.key)"
        guard let fields = reader.mapping(entry.value, what) else { return nil }
        reader.rejectUnknownKeys(fields, known: ["key_name", "algorithm", "secret", "server"], what)
        var name: DomainName?
        var algorithm = TSIGAlgorithm.hmacSHA256
        var secret: (text: String, node: Node)?
        var server: ServerAddress?
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "key_name":
                name = reader.value(field.value, "key_name") { text throws(ConfigurationMessage) in
                    do {
                        return try DomainName(parsing: text)
                    } catch {
                        throw ConfigurationMessage(
                            "key_name '\(text.prefix(80))' is not a DNS name: \(error)")
                    }
                }
            case "algorithm":
                algorithm =
                    reader.value(field.value, "algorithm") { text throws(ConfigurationMessage) in
                        guard let algorithm = TSIGAlgorithm(name: text) else {
                            throw ConfigurationMessage(
                                "unknown TSIG algorithm '\(text.prefix(40))': expected "
                                    + TSIGAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))
                        }
                        return algorithm
                    } ?? algorithm
            case "secret":
                secret = reader.value(field.value, "secret") { text throws(ConfigurationMessage) in
                    (try ConfigurationValues.base64Secret(text, key: "secret"), field.value)
                }
            case "server": server = reader.value(field.value, "server", Self.dnsServer)
            default: break
            }
        }
        guard let name, let secret else {
            // Missing or null (`secret:`): a key with an invalid value has its own error.
            let missing = ["key_name", "secret"].filter { key in
                !fields.contains { $0.key == key && !reader.isNull($0.value) }
            }
            if !missing.isEmpty {
                reader.error("\(what) needs \(missing.joined(separator: " and "))", at: entry.keyNode)
            }
            return nil
        }
        // The key is built here, once: publishing signs with it as it is.
        do {
            let key = try DNSView.key(
                named: name, algorithm: algorithm, base64Secret: secret.text, what: "secret")
            return DNSView(key: key, writtenAs: secret.text, server: server)
        } catch {
            reader.error(error.text, at: secret.node)
            return nil
        }
    }

    private static func dnsServer(_ text: String) throws(ConfigurationMessage) -> ServerAddress {
        try ServerAddress(parsing: text, defaultPort: 53)
    }

    private func readSNMP(_ node: Node) -> SNMPSettings {
        var snmp = SNMPSettings()
        guard let fields = reader.mapping(node, "snmp") else { return snmp }
        let known = [
            "version", "port", "community", "user", "auth_protocol", "auth_password", "priv_protocol",
            "priv_password",
            "timeout", "retries", "concurrency", "notifications",
        ]
        reader.rejectUnknownKeys(fields, known: known, "snmp")
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "version":
                snmp.version =
                    reader.value(field.value, "snmp version") { text throws(ConfigurationMessage) in
                        switch text.lowercased() {
                        case "v2c", "2c", "2": return SNMPVersion.v2c
                        case "v3", "3": return SNMPVersion.v3
                        default:
                            throw ConfigurationMessage(
                                "snmp version must be v2c or v3, not '\(text.prefix(20))'")
                        }
                    } ?? snmp.version
            case "port": snmp.port = integer(field, "snmp port", 1...65_535) ?? snmp.port
            case "community": snmp.community = text(field, "community") ?? snmp.community
            case "user": snmp.user = text(field, "user") ?? snmp.user
            case "auth_protocol":
                snmp.authProtocol =
                    reader.value(field.value, "auth_protocol") { text throws(ConfigurationMessage) in
                        guard let value = AuthenticationProtocol(name: text) else {
                            throw ConfigurationMessage(
                                "unknown auth_protocol '\(text.prefix(20))': expected md5, sha, sha256, sha384 or sha512 "
                                    + "(SHA-224 is not supported)")
                        }
                        return value
                    } ?? snmp.authProtocol
            case "priv_protocol":
                snmp.privProtocol =
                    reader.value(field.value, "priv_protocol") { text throws(ConfigurationMessage) in
                        guard let value = PrivacyProtocol(name: text) else {
                            throw ConfigurationMessage(
                                "unknown priv_protocol '\(text.prefix(20))': expected aes (DES is not supported)"
                            )
                        }
                        return value
                    } ?? snmp.privProtocol
            case "auth_password": snmp.authPassword = password(field)
            case "priv_password": snmp.privPassword = password(field)
            case "timeout": snmp.timeout = duration(field, "snmp timeout", positive: true) ?? snmp.timeout
            case "retries": snmp.retries = integer(field, "snmp retries", 0...10) ?? snmp.retries
            case "concurrency":
                snmp.concurrency = integer(field, "concurrency", 1...100_000) ?? snmp.concurrency
            case "notifications":
                snmp.notifications = SNMPNotificationSettingsReader(reader: reader).read(field.value)
            default: break
            }
        }
        if snmp.version == .v3, snmp.privPassword != nil, snmp.authPassword == nil,
            let field = fields.first(where: { $0.key == "priv_password" })
        {
            reader.error(
                "priv_password needs auth_password: SNMPv3 has no privacy without authentication",
                at: field.keyNode)
        }
        if snmp.version == .v2c,
            let field = fields.first(where: { ["user", "auth_password", "priv_password"].contains($0.key) })
        {
            reader.warning(
                "\(field.key) is ignored with SNMP v2c, which only uses the community", at: field.keyNode)
        }
        if snmp.notifications.listen != nil, snmp.version == .v3, snmp.authPassword == nil,
            let field = fields.first(where: { $0.key == "notifications" })
        {
            reader.warning(
                "snmp notifications without auth_password accept unauthenticated INFORMs: anyone who can reach the listener can make lbd re-poll (rate-limited) a node",
                at: field.keyNode)
        }
        return snmp
    }

    private func password(_ field: YAMLReader.Entry) -> String? {
        guard let value = text(field, field.key) else { return nil }
        if value.count < 8 {
            reader.warning(
                "\(field.key) is shorter than 8 characters; net-snmp refuses such passwords", at: field.value)
        }
        return value
    }

    private func readHA(_ node: Node) -> HASettings {
        var ha = HASettings()
        guard let fields = reader.mapping(node, "ha") else { return ha }
        reader.rejectUnknownKeys(
            fields,
            known: [
                "mode", "master", "heartbeat_directory", "heartbeat_file", "heartbeat_url", "takeover_after",
                "hold_down", "peer_dns", "lease",
            ], "ha")
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "mode":
                ha.mode =
                    reader.value(field.value, "ha mode") { text throws(ConfigurationMessage) in
                        guard let mode = HASettings.Mode(rawValue: text) else {
                            throw ConfigurationMessage(
                                "ha mode must be standalone, heartbeat or lease, not '\(text.prefix(20))'")
                        }
                        return mode
                    } ?? ha.mode
            case "master": ha.master = text(field, "master")
            case "heartbeat_directory":
                ha.heartbeatDirectory = text(field, "heartbeat_directory") ?? ha.heartbeatDirectory
            case "heartbeat_file":
                ha.heartbeatFile =
                    reader.value(field.value, "heartbeat_file") { text throws(ConfigurationMessage) in
                        // Served at /load-balancing/<file>: one path segment, no way out of the directory.
                        guard !text.isEmpty, !text.contains("/"), text != ".", text != ".." else {
                            throw ConfigurationMessage(
                                "heartbeat_file must be a file name without '/', not '\(text.prefix(40))'")
                        }
                        return text
                    } ?? ha.heartbeatFile
            case "heartbeat_url":
                ha.heartbeatURL =
                    reader.value(field.value, "heartbeat_url") { text throws(ConfigurationMessage) in
                        guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
                            throw ConfigurationMessage(
                                "heartbeat_url must start with http:// or https://, not '\(text.prefix(40))'")
                        }
                        return text
                    } ?? ha.heartbeatURL
            case "takeover_after":
                ha.takeoverAfter = duration(field, "takeover_after", positive: true) ?? ha.takeoverAfter
            case "hold_down":
                ha.holdDown = duration(field, "hold_down", positive: false) ?? ha.holdDown
            case "peer_dns":
                ha.peerDNS =
                    reader.value(field.value, "peer_dns") { text throws(ConfigurationMessage) in
                        try ServerAddress(parsing: text, defaultPort: 53)
                    } ?? ha.peerDNS
            case "lease": ha.lease = readLease(field.value)
            default: break
            }
        }
        if ha.mode == .heartbeat, ha.master == nil {
            reader.error(
                "ha mode heartbeat needs master (the host name of the instance that publishes)", at: node)
        }
        if ha.mode == .lease, ha.lease.url == nil {
            reader.error(
                "ha mode lease needs lease.url (postgres://USER@HOST[:PORT]/DATABASE)", at: node)
        }
        return ha
    }

    private func readLease(_ node: Node) -> LeaseSettings {
        var lease = LeaseSettings()
        guard let fields = reader.mapping(node, "lease") else { return lease }
        reader.rejectUnknownKeys(fields, known: ["url", "password_file", "ttl", "table"], "lease")
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "url":
                lease.url =
                    reader.value(field.value, "lease url") { text throws(ConfigurationMessage) in
                        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
                            // The URL may hold a password: never repeat it in an error.
                            throw ConfigurationMessage("lease url must start with postgres://")
                        }
                        return text
                    } ?? lease.url
            case "password_file": lease.passwordFile = text(field, "password_file")
            case "ttl":
                lease.ttl =
                    reader.value(field.value, "lease ttl") { text throws(ConfigurationMessage) in
                        let seconds = Double(
                            try ConfigurationValues.seconds(text, key: "lease ttl", minimum: 3))
                        guard seconds <= 3600 else {
                            throw ConfigurationMessage(
                                "lease ttl must be from 3 s to 3600 s, not \(seconds) s")
                        }
                        return seconds
                    } ?? lease.ttl
            case "table":
                lease.table =
                    reader.value(field.value, "lease table") { text throws(ConfigurationMessage) in
                        // Spliced into SQL: a plain identifier only.
                        guard let first = text.first, first.isLetter || first == "_",
                            text.count <= 63,
                            text.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" })
                        else {
                            throw ConfigurationMessage(
                                "lease table must be a plain SQL name (letters, digits, _), not '\(text.prefix(40))'"
                            )
                        }
                        return text
                    } ?? lease.table
            default: break
            }
        }
        return lease
    }

    private func readHTTP(_ node: Node) -> HTTPSettings {
        var http = HTTPSettings()
        guard let fields = reader.mapping(node, "http") else { return http }
        reader.rejectUnknownKeys(fields, known: ["listen", "token_file", "tls", "drains"], "http")
        var listenNode = node
        var drainsNode: Node?
        for field in fields {
            switch field.key {
            case "listen":
                listenNode = field.value
                // `off`, and YAML's other spellings of false (`false`, `no`), turn the endpoint off.
                if reader.isNull(field.value)
                    || ["off", "false", "no"].contains(field.value.string?.lowercased())
                {
                    http.listen = nil
                } else {
                    http.listen =
                        reader.value(field.value, "http listen") { text throws(ConfigurationMessage) in
                            try ServerAddress(parsing: text, defaultPort: 8080)
                        } ?? http.listen
                }
            case "token_file" where !reader.isNull(field.value):
                http.tokenFile = text(field, "http token_file")
            case "tls" where !reader.isNull(field.value): http.tls = readHTTPTLS(field.value)
            case "drains":
                drainsNode = field.value
                http.drains =
                    reader.value(field.value, "http drains") { text throws(ConfigurationMessage) in
                        try ConfigurationValues.boolean(text, key: "http drains")
                    } ?? http.drains
            default: break
            }
        }
        if http.drains, http.tokenFile == nil, let drainsNode {
            reader.error(
                "http drains: true needs http.token_file: drains are made through the API only with a bearer token; set token_file (a file holding one, e.g. `openssl rand -hex 32 > /etc/lbd/token`) or drains: false",
                at: drainsNode)
        }
        if let listen = http.listen, !HTTPSettings.isLoopback(listen.host), !http.isGuarded {
            reader.error(
                "http listen \(listen) is reachable from other machines but unguarded: set http.token_file (a file holding a bearer token) and/or http.tls (certificate and key), or listen on 127.0.0.1",
                at: listenNode)
        }
        return http
    }

    private func readHTTPTLS(_ node: Node) -> HTTPSettings.TLS? {
        guard let fields = reader.mapping(node, "http tls") else { return nil }
        reader.rejectUnknownKeys(fields, known: ["certificate", "key"], "http tls")
        let certificate = fields.first { $0.key == "certificate" }.flatMap {
            text($0, "http tls certificate")
        }
        let key = fields.first { $0.key == "key" }.flatMap { text($0, "http tls key") }
        guard let certificate, let key else {
            reader.error("http tls needs certificate and key (paths of PEM files)", at: node)
            return nil
        }
        return HTTPSettings.TLS(certificate: certificate, key: key)
    }

    private func readReload(_ node: Node) -> ReloadSettings {
        var settings = ReloadSettings()
        guard let fields = reader.mapping(node, "reload") else { return settings }
        reader.rejectUnknownKeys(fields, known: ["max_withdrawn_share"], "reload")
        for field in fields where field.key == "max_withdrawn_share" && !reader.isNull(field.value) {
            if let share = reader.value(
                field.value, "max_withdrawn_share",
                { text throws(ConfigurationMessage) in
                    try ConfigurationValues.share(text, key: "max_withdrawn_share")
                })
            {
                settings.maximumWithdrawnShare = share
            }
        }
        return settings
    }

    // MARK: - Typed fields

    private func text(_ field: YAMLReader.Entry, _ what: String) -> String? {
        guard let value = reader.scalar(field.value, what) else { return nil }
        if value.isEmpty {
            reader.error("\(what) must not be empty", at: field.value)
            return nil
        }
        do {
            return try ConfigurationValues.freeText(value, key: what)
        } catch {
            reader.error(error.text, at: field.value)
            return nil
        }
    }

    private func integer(_ field: YAMLReader.Entry, _ what: String, _ range: ClosedRange<Int>) -> Int? {
        reader.value(field.value, what) { text throws(ConfigurationMessage) in
            try ConfigurationValues.integer(text, key: what, in: range)
        }
    }

    private func duration(_ field: YAMLReader.Entry, _ what: String, positive: Bool) -> Double? {
        reader.value(field.value, what) { text throws(ConfigurationMessage) in
            let value = try ConfigurationValues.duration(text, key: what)
            if positive, value <= 0 { throw ConfigurationMessage("\(what) must be more than 0") }
            return value
        }
    }
}
