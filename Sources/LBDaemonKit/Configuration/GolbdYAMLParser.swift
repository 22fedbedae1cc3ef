import Yams

/// Reads golbd's YAML format: lower-cased Go field names (`dnsmanager`, `tsigkeyprefix`...),
/// `parameters` and `clusters` maps keyed by alias.
///
/// golbd's faults fixed: `dnsmanager` without a port means port 53, unknown keys are errors.
struct GolbdYAMLParser {
    static let settingKeys = GolbdSettings.lineKeys.map(GolbdSettings.yamlKey) + ["configfile"]
    static let topLevelKeys = settingKeys + ["parameters", "clusters"]

    let diagnostics: Diagnostics
    private var reader: YAMLReader { YAMLReader(diagnostics: diagnostics) }

    func parse(_ root: [YAMLReader.Entry]) -> Configuration {
        reader.rejectUnknownKeys(root, known: Self.topLevelKeys, "golbd configuration")
        var settings = GolbdSettings()
        var parameters: [YAMLReader.Entry] = []
        var clusters: [YAMLReader.Entry] = []
        for entry in root {
            switch entry.key {
            case "parameters":
                if !reader.isNull(entry.value) {
                    parameters = reader.mapping(entry.value, "parameters") ?? []
                }
                continue
            case "clusters":
                if !reader.isNull(entry.value) { clusters = reader.mapping(entry.value, "clusters") ?? [] }
                continue
            default:
                break
            }
            // `configfile` has no field: golbd overwrote it with the path it read.
            guard let slot = GolbdSettings.field(yamlKey: entry.key) else { continue }
            if reader.isNull(entry.value) { continue }
            // Go reads `key: ""` as an absent key; so does lbd.
            if let text = reader.scalar(entry.value, entry.key), !text.isEmpty {
                settings[keyPath: slot] = GolbdSettings.Value(
                    text: text, location: reader.location(entry.value))
            }
        }

        var configuration = Configuration()
        settings.apply(to: &configuration, diagnostics: diagnostics)
        // Two entries for one alias (`a.example.org` and `A.example.org.`) are an error, as two
        // `parameters` lines are in the line format.
        var parametersByAlias: [String: YAMLReader.Entry] = [:]
        var uniqueParameters: [YAMLReader.Entry] = []
        for entry in parameters {
            let key = AliasConfiguration.normalisedName(entry.key)
            if let first = parametersByAlias[key] {
                reader.error(
                    "duplicate parameters for alias '\(key.prefix(80))' (first on line \(first.keyNode.mark?.line ?? 0))",
                    at: entry.keyNode)
                continue
            }
            parametersByAlias[key] = entry
            uniqueParameters.append(entry)
        }
        var drafts: [AliasDraft] = []
        var withMembers: Set<String> = []
        for cluster in clusters {
            let key = AliasConfiguration.normalisedName(cluster.key)
            withMembers.insert(key)
            var draft = AliasDraft(name: cluster.key, location: reader.location(cluster.keyNode))
            if !reader.isNull(cluster.value) {
                draft.members = reader.scalarList(cluster.value, "the members of \(key)")?.map {
                    AliasDraft.Member(name: $0.text, location: reader.location($0.node))
                }
            }
            guard let entry = parametersByAlias[key] else {
                if draft.members?.isEmpty == false {
                    reader.error(
                        "alias '\(key)' has members but no entry under parameters", at: cluster.keyNode)
                }
                continue
            }
            let builder = readParameters(entry)
            draft.parameters = builder.values
            draft.parametersLocation = reader.location(entry.keyNode)
            if draft.members?.isEmpty == false {
                GolbdParameters.warnAboutMissingKeys(
                    builder, alias: key, at: reader.location(entry.keyNode), diagnostics: diagnostics)
            }
            drafts.append(draft)
        }
        for entry in uniqueParameters
        where !withMembers.contains(AliasConfiguration.normalisedName(entry.key)) {
            _ = readParameters(entry)
            reader.warning(
                "alias '\(AliasConfiguration.normalisedName(entry.key))' has no members: ignored, as golbd does",
                at: entry.keyNode)
        }
        configuration.aliases = AliasValidator(diagnostics: diagnostics, missingMembers: .ignore).validate(
            drafts)
        return configuration
    }

    private func readParameters(_ entry: YAMLReader.Entry) -> AliasParametersBuilder {
        var builder = AliasParametersBuilder()
        guard !reader.isNull(entry.value),
            let fields = reader.mapping(entry.value, "the parameters of \(entry.key)")
        else { return builder }
        for field in fields {
            if reader.isNull(field.value) { continue }
            guard let text = reader.scalar(field.value, field.key) else { continue }
            do {
                try GolbdParameters.apply(key: field.key, value: text, to: &builder)
            } catch {
                reader.error(
                    error.text, at: GolbdParameters.keys.contains(field.key) ? field.value : field.keyNode)
            }
        }
        return builder
    }
}
