import DNS
import LBCore
import Yams

/// Reads `dns.embedded` of the native format into `EmbeddedDNSSettings`, and checks that the
/// aliases fit its zone: every value it returns is valid, names end with a dot and are lower-case.
struct EmbeddedDNSReader {
    static let keys = ["listen", "zone", "nameserver", "mailbox", "notify", "transfer_from", "explain"]

    let reader: YAMLReader

    /// The settings of `embedded: {...}`; nil (with an error) when the value is not a mapping.
    func read(_ node: Node) -> EmbeddedDNSSettings? {
        guard let fields = reader.mapping(node, "dns embedded") else { return nil }
        reader.rejectUnknownKeys(fields, known: Self.keys, "dns embedded")
        var embedded = EmbeddedDNSSettings()
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "listen":
                embedded.listen =
                    reader.value(field.value, "listen") { text throws(ConfigurationMessage) in
                        try Self.address(text, key: "listen")
                    } ?? embedded.listen
            case "zone": embedded.zone = name(field)
            case "nameserver": embedded.nameServer = name(field) ?? embedded.nameServer
            case "mailbox": embedded.mailbox = name(field) ?? embedded.mailbox
            case "notify":
                embedded.notify = list(field) { text throws(ConfigurationMessage) in
                    try Self.address(text, key: "notify")
                }
            case "transfer_from":
                embedded.transferFrom = list(field) { text throws(ConfigurationMessage) in
                    guard let address = NodeAddress(text) else {
                        throw ConfigurationMessage(
                            "transfer_from '\(text.prefix(80))' is not an IPv4 or IPv6 address")
                    }
                    return address.description
                }
            case "explain":
                embedded.explain =
                    reader.value(field.value, "explain") { text throws(ConfigurationMessage) in
                        try ConfigurationValues.boolean(text, key: "explain")
                    } ?? embedded.explain
            default: break
            }
        }
        return embedded
    }

    /// Reports every alias that is neither `zone` nor a name inside it: the server could not
    /// answer for it.
    func checkAliases(_ aliases: [AliasConfiguration], drafts: [AliasDraft], zone: String) {
        guard let zoneName = try? DomainName(parsing: zone) else { return }
        for alias in aliases {
            guard let name = try? DomainName(parsing: alias.name), !name.isSubdomain(of: zoneName) else {
                continue
            }
            let location = drafts.first { AliasConfiguration.normalisedName($0.name) == alias.name }?.location
            reader.diagnostics.error(
                "alias '\(alias.name)' is not inside the zone \(zone) of dns embedded: it could not be published",
                line: location?.line, column: location?.column)
        }
    }

    /// HOST, HOST:PORT or [IPv6]:PORT, port 53 by default; the message names `key`.
    private static func address(_ text: String, key: String) throws(ConfigurationMessage) -> ServerAddress {
        do {
            return try ServerAddress(parsing: text, defaultPort: 53)
        } catch {
            throw ConfigurationMessage("\(key): \(error.text)")
        }
    }

    /// A DNS name other than the root, lower-case, with the trailing dot.
    private func name(_ field: YAMLReader.Entry) -> String? {
        reader.value(field.value, field.key) { text throws(ConfigurationMessage) in
            let name: DomainName
            do {
                name = try DomainName(parsing: text)
            } catch {
                throw ConfigurationMessage("\(field.key) '\(text.prefix(80))' is not a DNS name: \(error)")
            }
            guard !name.labels.isEmpty else {
                throw ConfigurationMessage("\(field.key) must be a name below the root, not '.'")
            }
            return name.description.lowercased()
        }
    }

    /// The valid values of a list (or a blank-separated string), each invalid one reported.
    private func list<T>(_ field: YAMLReader.Entry, _ parse: (String) throws(ConfigurationMessage) -> T)
        -> [T]
    {
        guard let items = reader.scalarList(field.value, field.key) else { return [] }
        var values: [T] = []
        for item in items {
            do throws(ConfigurationMessage) {
                values.append(try parse(item.text))
            } catch {
                reader.error(error.text, at: item.node)
            }
        }
        return values
    }
}
