import Yams

/// Reads an alias's `haproxy:` section of the native format into `HAProxySettings`; every
/// invalid value is reported at its line, and nil is returned when the section is unusable.
struct HAProxySettingsReader {
    static let keys = ["socket", "backend", "weights", "server_port", "server_prefix", "timeout"]
    static let weightKeys = ["min", "max", "mapping"]

    let reader: YAMLReader

    func read(_ node: Node, alias: String) -> HAProxySettings? {
        let what = "haproxy of alias '\(alias)'"
        guard let fields = reader.mapping(node, what) else { return nil }
        reader.rejectUnknownKeys(fields, known: Self.keys, what)
        var socket: HAProxySocket?
        var backend: String?
        var settings = HAProxySettings(socket: .unix(path: "/"), backend: "")
        var valid = true
        for field in fields where !reader.isNull(field.value) {
            let parsed: Bool
            switch field.key {
            case "socket":
                socket = reader.value(field.value, "haproxy socket") { text throws(ConfigurationMessage) in
                    try HAProxySocket(parsing: text)
                }
                parsed = socket != nil
            case "backend":
                backend = reader.value(field.value, "haproxy backend") { text throws(ConfigurationMessage) in
                    try Self.name(text, key: "backend")
                }
                parsed = backend != nil
            case "server_prefix":
                let prefix = reader.value(field.value, "server_prefix") { text throws(ConfigurationMessage) in
                    try Self.name(text, key: "server_prefix")
                }
                settings.serverPrefix = prefix ?? settings.serverPrefix
                parsed = prefix != nil
            case "server_port":
                let port = reader.value(field.value, "server_port") { text throws(ConfigurationMessage) in
                    try ConfigurationValues.integer(text, key: "server_port", in: 1...65_535)
                }
                settings.serverPort = port ?? settings.serverPort
                parsed = port != nil
            case "timeout":
                let timeout = reader.value(field.value, "haproxy timeout") {
                    text throws(ConfigurationMessage) in
                    let value = try ConfigurationValues.duration(text, key: "haproxy timeout")
                    guard value > 0, value <= 60 else {
                        throw ConfigurationMessage("haproxy timeout must be more than 0 and at most 60 s")
                    }
                    return value
                }
                settings.timeout = timeout ?? settings.timeout
                parsed = timeout != nil
            case "weights":
                let weights = readWeights(field.value)
                settings.weights = weights ?? settings.weights
                parsed = weights != nil
            default:
                parsed = true
            }
            valid = valid && parsed
        }
        let missing = [("socket", socket == nil), ("backend", backend == nil)].filter(\.1).map(\.0)
        if !missing.isEmpty, !fields.contains(where: { missing.contains($0.key) && !reader.isNull($0.value) })
        {
            reader.error("\(what) needs \(missing.joined(separator: " and "))", at: node)
        }
        guard valid, let socket, let backend else { return nil }
        settings.socket = socket
        settings.backend = backend
        return settings
    }

    /// Reports every alias whose HAProxy backend (on the same socket) another alias drives
    /// already: each deletes the servers of its prefix that are not its members, so two aliases
    /// in one backend would delete each other's servers.
    func checkSharedBackends(_ aliases: [AliasConfiguration], drafts: [AliasDraft]) {
        var owners: [String: String] = [:]
        for alias in aliases {
            guard let settings = alias.haproxy else { continue }
            let key = "\(settings.socket) \(settings.backend)"
            guard let owner = owners[key] else {
                owners[key] = alias.name
                continue
            }
            let location = drafts.first { AliasConfiguration.normalisedName($0.name) == alias.name }?.location
            reader.diagnostics.error(
                "alias '\(alias.name)': HAProxy backend '\(settings.backend)' at \(settings.socket) is already driven by "
                    + "alias '\(owner)'; give each alias a backend of its own",
                line: location?.line, column: location?.column)
        }
    }

    private func readWeights(_ node: Node) -> HAProxyWeightMapping? {
        guard let fields = reader.mapping(node, "haproxy weights") else { return nil }
        reader.rejectUnknownKeys(fields, known: Self.weightKeys, "haproxy weights")
        var mapping = HAProxyWeightMapping()
        var valid = true
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "min", "max":
                let value = reader.value(field.value, "haproxy weights \(field.key)") {
                    text throws(ConfigurationMessage) in
                    try ConfigurationValues.integer(
                        text, key: "weights \(field.key)", in: HAProxyWeightMapping.range)
                }
                guard let value else {
                    valid = false
                    continue
                }
                if field.key == "min" { mapping.minimum = value } else { mapping.maximum = value }
            case "mapping":
                let curve = reader.value(field.value, "haproxy weights mapping") {
                    text throws(ConfigurationMessage) in
                    guard let curve = HAProxyWeightMapping.Curve(rawValue: text) else {
                        throw ConfigurationMessage(
                            "weights mapping must be "
                                + HAProxyWeightMapping.Curve.allCases.map(\.rawValue).joined(
                                    separator: " or ")
                                + ", not '\(text.prefix(20))'")
                    }
                    return curve
                }
                mapping.curve = curve ?? mapping.curve
                valid = valid && curve != nil
            default: break
            }
        }
        if valid, mapping.minimum > mapping.maximum {
            reader.error("haproxy weights: min \(mapping.minimum) is above max \(mapping.maximum)", at: node)
            return nil
        }
        return valid ? mapping : nil
    }

    /// A backend or server-name prefix HAProxy accepts as it is.
    private static func name(_ text: String, key: String) throws(ConfigurationMessage) -> String {
        guard HAProxyServerName.isValid(text) else {
            throw ConfigurationMessage(
                "haproxy \(key) '\(text.prefix(80))' must be 1 to 100 letters, digits, '.', '-', '_' or ':'")
        }
        return text
    }
}
