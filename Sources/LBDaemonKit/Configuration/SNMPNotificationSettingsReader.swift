import LBCore
import Yams

/// Reads `snmp.notifications:` of the native format; errors name the file and line.
struct SNMPNotificationSettingsReader {
    static let keys = ["listen", "per_node_interval", "max_per_second"]

    let reader: YAMLReader

    func read(_ node: Node) -> SNMPNotificationSettings {
        var settings = SNMPNotificationSettings()
        guard let fields = reader.mapping(node, "snmp notifications") else { return settings }
        reader.rejectUnknownKeys(fields, known: Self.keys, "snmp notifications")
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "listen":
                settings.listen = reader.value(field.value, "snmp notifications listen", Self.listen) ?? nil
            case "per_node_interval":
                settings.perNodeInterval =
                    reader.value(field.value, "per_node_interval") { text throws(ConfigurationMessage) in
                        let value = try ConfigurationValues.duration(text, key: "per_node_interval")
                        guard value > 0, value <= 3600 else {
                            throw ConfigurationMessage(
                                "per_node_interval must be more than 0 and at most 1h, not '\(text.prefix(20))'"
                            )
                        }
                        return value
                    } ?? settings.perNodeInterval
            case "max_per_second":
                settings.maximumPerSecond =
                    reader.value(field.value, "max_per_second") { text throws(ConfigurationMessage) in
                        try ConfigurationValues.integer(text, key: "max_per_second", in: 1...10_000)
                    } ?? settings.maximumPerSecond
            default: break
            }
        }
        return settings
    }

    /// `off` (or YAML's false) for none; otherwise `IP[:PORT]` or `[IPv6]:PORT`, port 162 by default.
    static func listen(_ text: String) throws(ConfigurationMessage) -> ServerAddress? {
        if ["off", "false", "no"].contains(text.lowercased()) { return nil }
        let address = try ServerAddress(parsing: text, defaultPort: SNMPNotificationSettings.defaultPort)
        guard NodeAddress(address.host) != nil else {
            throw ConfigurationMessage(
                "snmp notifications listen must be an IP address to bind (0.0.0.0 or :: for all), not '\(address.host.prefix(80))'"
            )
        }
        return address
    }
}
