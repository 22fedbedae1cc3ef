import DNS
import LBCore

/// The checks that span aliases: valid and unique names, members, and parameters that cannot do
/// what they say.
struct AliasValidator {
    /// How to treat an alias that has no member.
    enum MissingMembers {
        /// Native format: an error.
        case reject
        /// golbd formats: golbconf writes such aliases when PuppetDB has no node for them; golbd
        /// ignores them, and so do we, with a warning.
        case ignore
    }

    let diagnostics: Diagnostics
    let missingMembers: MissingMembers

    func validate(_ drafts: [AliasDraft]) -> [AliasConfiguration] {
        var firstLine: [String: Int?] = [:]
        var aliases: [AliasConfiguration] = []
        for draft in drafts {
            let location = draft.location
            guard checkName(draft.name, what: "alias name", at: location) else { continue }
            let key = AliasConfiguration.normalisedName(draft.name)
            if let first = firstLine[key] {
                diagnostics.error(
                    "duplicate alias '\(draft.name)'"
                        + (first.map { " (first defined on line \($0))" } ?? ""),
                    line: location.line, column: location.column)
                continue
            }
            firstLine[key] = location.line
            guard let members = validMembers(of: draft) else { continue }
            if case .count(let requested) = draft.parameters.bestHosts, requested > members.count {
                diagnostics.warning(
                    "alias '\(key)': best_hosts is \(requested) but it has \(members.count) member(s); "
                        + "at most \(members.count) will be published",
                    line: (draft.parametersLocation ?? location).line)
            }
            if case .count(let minimum) = draft.parameters.minUsable, minimum > members.count {
                diagnostics.warning(
                    "alias '\(key)': min_usable is \(minimum) but it has \(members.count) member(s); "
                        + "it is always below it (below_min_usable \(draft.parameters.belowMinimum.rawValue) applies)",
                    line: (draft.parametersLocation ?? location).line)
            }
            aliases.append(
                AliasConfiguration(
                    name: key, members: members, parameters: draft.parameters, partition: draft.partition,
                    haproxy: draft.haproxy))
        }
        return aliases
    }

    private func validMembers(of draft: AliasDraft) -> [String]? {
        let alias = AliasConfiguration.normalisedName(draft.name)
        guard let given = draft.members, !given.isEmpty else {
            switch missingMembers {
            case .reject:
                diagnostics.error(
                    "alias '\(alias)' has no members", line: draft.location.line,
                    column: draft.location.column)
            case .ignore:
                diagnostics.warning(
                    "alias '\(alias)' has no members: ignored, as golbd does", line: draft.location.line,
                    column: draft.location.column)
            }
            return nil
        }
        var members: [String] = []
        var seen: Set<String> = []
        for member in given {
            let address = NodeAddress(member.name)
            guard address != nil || checkName(member.name, what: "member name", at: member.location) else {
                continue
            }
            let key = address != nil ? member.name : AliasConfiguration.normalisedName(member.name)
            // An address is the same member whatever its spelling (2001:db8::1, 2001:DB8:0::1).
            if !seen.insert(address.map { "address \($0)" } ?? key).inserted {
                diagnostics.warning(
                    "member '\(member.name)' is listed twice for alias '\(alias)'",
                    line: member.location.line,
                    column: member.location.column)
                continue
            }
            members.append(key)
        }
        return members
    }

    private func checkName(_ name: String, what: String, at location: SourceLocation) -> Bool {
        do {
            let parsed = try DomainName(parsing: name)
            if parsed.labels.isEmpty {
                diagnostics.error(
                    "the root '.' is not a valid \(what)", line: location.line, column: location.column)
                return false
            }
            if let problem = ConfigurationValues.hostNameProblem(name) {
                diagnostics.error(
                    "invalid \(what) '\(name.prefix(80))': \(problem)", line: location.line,
                    column: location.column)
                return false
            }
            return true
        } catch {
            diagnostics.error(
                "invalid \(what) '\(name.prefix(80))': \(error)", line: location.line, column: location.column
            )
            return false
        }
    }
}
