import DNS
import LBCore
import SNMP

/// The global settings of a golbd file (either format), and how they map onto lbd's.
struct GolbdSettings {
    struct Value {
        var text: String
        var location: SourceLocation
    }

    var master: Value?
    var heartbeatPath: Value?
    var heartbeatFile: Value?
    var tsigKeyPrefix: Value?
    var tsigInternalKey: Value?
    var tsigExternalKey: Value?
    var snmpPassword: Value?
    var dnsManager: Value?

    /// The global keys of the line format, in the order golbd documents them.
    static let lineKeys = [
        "master", "heartbeat_path", "heartbeat_file", "tsig_key_prefix", "tsig_internal_key",
        "tsig_external_key", "snmpd_password", "dns_manager",
    ]

    /// The golbd YAML spelling of a line-format key: the lower-cased Go field name.
    static func yamlKey(_ lineKey: String) -> String {
        lineKey == "snmpd_password" ? "snmppassword" : lineKey.filter { $0 != "_" }
    }

    /// The field a line-format key fills; `nil` for an unknown key.
    static func field(lineKey: String) -> WritableKeyPath<GolbdSettings, Value?>? {
        switch lineKey {
        case "master": return \.master
        case "heartbeat_path": return \.heartbeatPath
        case "heartbeat_file": return \.heartbeatFile
        case "tsig_key_prefix": return \.tsigKeyPrefix
        case "tsig_internal_key": return \.tsigInternalKey
        case "tsig_external_key": return \.tsigExternalKey
        case "snmpd_password": return \.snmpPassword
        case "dns_manager": return \.dnsManager
        default: return nil
        }
    }

    /// The field a golbd YAML key fills; `nil` for an unknown key.
    static func field(yamlKey: String) -> WritableKeyPath<GolbdSettings, Value?>? {
        lineKeys.first { Self.yamlKey($0) == yamlKey }.flatMap { field(lineKey: $0) }
    }

    /// Fills the settings of `configuration` the way golbd would behave with these values.
    func apply(to configuration: inout Configuration, diagnostics: Diagnostics) {
        if let dnsManager {
            do {
                configuration.dns.server = try ServerAddress(parsing: dnsManager.text, defaultPort: 53)
            } catch {
                diagnostics.error(
                    "dns manager: \(error)", line: dnsManager.location.line,
                    column: dnsManager.location.column)
            }
        }
        let prefix = tsigKeyPrefix?.text ?? ""
        // An invalid prefix is reported once, and the views are left out.
        let hasSecrets = tsigInternalKey != nil || tsigExternalKey != nil
        if hasSecrets && validKeyPrefix(prefix, diagnostics) {
            configuration.dns.internalView = view(
                named: prefix + "internal.", secret: tsigInternalKey, diagnostics)
            configuration.dns.externalView = view(
                named: prefix + "external.", secret: tsigExternalKey, diagnostics)
        }

        configuration.snmp.version = .v3
        configuration.snmp.user = "loadbalancing"
        configuration.snmp.authProtocol = .md5
        configuration.snmp.authPassword = text(snmpPassword, "snmp password", diagnostics)
        configuration.snmp.privPassword = nil
        if let snmpPassword, snmpPassword.text.count < 8 {
            diagnostics.warning(
                "the SNMP password is shorter than 8 characters; net-snmp refuses such passwords",
                line: snmpPassword.location.line, column: snmpPassword.location.column)
        }

        if let master = text(master, "master", diagnostics) {
            configuration.ha.mode = .heartbeat
            configuration.ha.master = master
        }
        if let path = text(heartbeatPath, "heartbeat path", diagnostics) {
            configuration.ha.heartbeatDirectory = path
        }
        if let file = text(heartbeatFile, "heartbeat file", diagnostics) {
            configuration.ha.heartbeatFile = file
        }
    }

    /// A free-text value, or `nil` (with an error) when it holds control characters.
    private func text(_ value: Value?, _ what: String, _ diagnostics: Diagnostics) -> String? {
        guard let value else { return nil }
        do {
            return try ConfigurationValues.freeText(value.text, key: what)
        } catch {
            diagnostics.error(error.text, line: value.location.line, column: value.location.column)
            return nil
        }
    }

    /// Whether `<prefix>internal.` and `<prefix>external.` are DNS names (key names are).
    private func validKeyPrefix(_ prefix: String, _ diagnostics: Diagnostics) -> Bool {
        do {
            _ = try DomainName(parsing: prefix + "internal.")
            return true
        } catch {
            let location = tsigKeyPrefix?.location ?? .unknown
            diagnostics.error(
                "the TSIG key name '\(prefix.prefix(80))internal.' (tsig_key_prefix + internal.) is not a DNS "
                    + "name: \(error)", line: location.line, column: location.column)
            return false
        }
    }

    private func view(named name: String, secret: Value?, _ diagnostics: Diagnostics) -> DNSView? {
        // validKeyPrefix has reported a name that does not parse.
        guard let secret, let keyName = try? DomainName(parsing: name) else { return nil }
        do {
            let key = try DNSView.key(
                named: keyName, algorithm: .hmacMD5, base64Secret: secret.text,
                what: "the TSIG secret of \(name)")
            return DNSView(key: key, writtenAs: secret.text)
        } catch {
            diagnostics.error("\(error)", line: secret.location.line, column: secret.location.column)
            return nil
        }
    }
}

/// The per-alias parameters of golbd (`best_hosts`, `metric`...), shared by both golbd formats.
enum GolbdParameters {
    static let keys: Set<String> = [
        "behaviour", "best_hosts", "external", "metric", "polling_interval", "statistics", "ttl",
    ]

    /// Applies one `key`/`value` pair to `parameters`; throws for an unknown key or a bad value.
    static func apply(key: String, value: String, to parameters: inout AliasParametersBuilder)
        throws(ConfigurationMessage)
    {
        // A key given with a bad value counts as given: its error says enough.
        if keys.contains(key) { parameters.given.insert(key) }
        switch key {
        case "best_hosts":
            parameters.values.bestHosts = try ConfigurationValues.bestHosts(value)
        case "external":
            parameters.values.external = try ConfigurationValues.boolean(value, key: key)
        case "metric":
            parameters.values.whenNoneUsable = try ConfigurationValues.metric(value)
        case "polling_interval":
            parameters.values.pollingInterval = try ConfigurationValues.seconds(value, key: key, minimum: 1)
        case "ttl":
            parameters.values.ttl = try ConfigurationValues.seconds(value, key: key, minimum: 0)
        case "behaviour", "statistics":
            break  // Read by nothing since 2018 in golbd; accepted so that existing files load.
        default:
            throw ConfigurationMessage(
                "unknown parameter '\(key.prefix(40))': expected one of \(keys.sorted().joined(separator: ", "))"
            )
        }
    }

    /// Warns about the keys whose absence golbd turned into a broken alias.
    static func warnAboutMissingKeys(
        _ parameters: AliasParametersBuilder, alias: String, at location: SourceLocation,
        diagnostics: Diagnostics
    ) {
        if !parameters.given.contains("best_hosts") {
            diagnostics.warning(
                "alias '\(alias)' has no best_hosts: using 1 (golbd published no host)", line: location.line)
        }
        if !parameters.given.contains("metric") {
            diagnostics.warning(
                "alias '\(alias)' has no metric: using cmsfrontier (keep DNS when nothing is usable); "
                    + "golbd never evaluated such an alias",
                line: location.line)
        }
    }
}

/// Alias parameters being read, with the keys seen so far.
struct AliasParametersBuilder {
    var values = LBCore.AliasParameters()
    var given: Set<String> = []
}
