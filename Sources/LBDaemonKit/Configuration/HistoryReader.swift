import Yams

/// Reads `history:` of the native format into `HistorySettings`; errors name the file and line.
struct HistoryReader {
    static let keys = ["store", "path", "url", "password_file", "retention", "raw_retention"]

    let reader: YAMLReader

    func read(_ node: Node) -> HistorySettings {
        var history = HistorySettings()
        guard let fields = reader.mapping(node, "history") else { return history }
        reader.rejectUnknownKeys(fields, known: Self.keys, "history")
        for field in fields where !reader.isNull(field.value) {
            switch field.key {
            case "store":
                history.store =
                    reader.value(field.value, "history store") { text throws(ConfigurationMessage) in
                        // YAML reads a bare `off` as false; Yams hands the text over as written.
                        let key = text.lowercased() == "false" || text.lowercased() == "no" ? "off" : text
                        guard let store = HistorySettings.Store(rawValue: key.lowercased()) else {
                            throw ConfigurationMessage(
                                "history store must be sqlite, postgresql, memory or off, not '\(text.prefix(20))'"
                            )
                        }
                        return store
                    } ?? history.store
            case "path": history.path = text(field, "history path") ?? history.path
            case "url":
                history.url =
                    reader.value(field.value, "history url") { text throws(ConfigurationMessage) in
                        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
                            // The URL may hold a password: never repeat it in an error.
                            throw ConfigurationMessage("history url must start with postgres://")
                        }
                        return text
                    } ?? history.url
            case "password_file": history.passwordFile = text(field, "history password_file")
            case "retention":
                history.retention = duration(field, "history retention") ?? history.retention
            case "raw_retention":
                history.rawRetention = duration(field, "history raw_retention") ?? history.rawRetention
            default: break
            }
        }
        if history.store == .postgresql, history.url == nil {
            reader.error(
                "history store postgresql needs url (postgres://USER@HOST[:PORT]/DATABASE)", at: node)
        }
        if history.rawRetention > history.retention {
            let field = fields.first { $0.key == "raw_retention" } ?? fields.first { $0.key == "retention" }
            reader.error(
                "history raw_retention (\(Self.days(history.rawRetention))) must not be longer than retention (\(Self.days(history.retention)))",
                at: field?.value ?? node)
        }
        return history
    }

    private func text(_ field: YAMLReader.Entry, _ what: String) -> String? {
        reader.value(field.value, what) { text throws(ConfigurationMessage) in
            guard !text.isEmpty else { throw ConfigurationMessage("\(what) must not be empty") }
            return try ConfigurationValues.freeText(text, key: what)
        }
    }

    /// `30d`, `48h`, `90m`, `3600s` or `3600`: at least 5 minutes (one roll-up bucket), at
    /// most 10 years.
    private func duration(_ field: YAMLReader.Entry, _ what: String) -> Double? {
        reader.value(field.value, what) { text throws(ConfigurationMessage) in
            try Self.seconds(text, key: what)
        }
    }

    static func seconds(_ text: String, key: String) throws(ConfigurationMessage) -> Double {
        let trimmed = text.trimmingBlanks.lowercased()
        let value: Double
        if trimmed.hasSuffix("d") {
            guard let days = Double(trimmed.dropLast().trimmingBlanks), days.isFinite, days >= 0 else {
                throw ConfigurationMessage(
                    "\(key) must be a duration such as 30d, 48h or 90m, not '\(text.prefix(40))'")
            }
            value = days * 86_400
        } else {
            do {
                value = try ConfigurationValues.duration(trimmed, key: key)
            } catch {
                throw ConfigurationMessage(
                    "\(key) must be a duration such as 30d, 48h or 90m, not '\(text.prefix(40))'")
            }
        }
        guard value >= 300, value <= 3650 * 86_400 else {
            throw ConfigurationMessage("\(key) must be from 5m to 3650d, not '\(text.prefix(40))'")
        }
        return value
    }

    static func days(_ seconds: Double) -> String {
        seconds.truncatingRemainder(dividingBy: 86_400) == 0
            ? "\(Int(seconds / 86_400))d" : "\(Int(seconds))s"
    }
}
