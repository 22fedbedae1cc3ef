import Yams

/// Typed, located access to a composed YAML document: every wrong shape or type becomes an issue
/// with the node's line and column, and reading goes on so that all errors are reported.
struct YAMLReader {
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    let diagnostics: Diagnostics

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(line: node.mark?.line, column: node.mark?.column)
    }

    func error(_ message: @autoclosure () -> String, at node: Node) {
        diagnostics.error(message(), line: node.mark?.line, column: node.mark?.column)
    }

    func warning(_ message: @autoclosure () -> String, at node: Node) {
        diagnostics.warning(message(), line: node.mark?.line, column: node.mark?.column)
    }

    /// Whether `node` is an empty value (`key:`, `~`, `null`).
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else {
            return false
        }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The entries of a mapping, with scalar keys, duplicates reported, `<<` merge keys applied.
    func mapping(_ node: Node, _ what: String) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            error("\(what) must be a mapping of keys to values", at: node)
            return nil
        }
        var entries: [Entry] = []
        var merged: [Entry] = []
        var seen: [String: Int?] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                error("\(what): keys must be plain names", at: keyNode)
                continue
            }
            if scalar.string == "<<" {
                merged += mergedEntries(value, what)
                continue
            }
            if let first = seen[scalar.string] {
                error(
                    "\(what): duplicate key '\(scalar.string.prefix(80))'"
                        + (first.map { " (first on line \($0))" } ?? ""), at: keyNode)
                continue
            }
            seen[scalar.string] = keyNode.mark?.line
            entries.append(Entry(key: scalar.string, keyNode: keyNode, value: value))
        }
        // Explicit keys win over merged ones, as YAML's merge key specifies.
        for entry in merged where seen[entry.key] == nil {
            seen[entry.key] = entry.keyNode.mark?.line
            entries.append(entry)
        }
        return entries
    }

    private func mergedEntries(_ value: Node, _ what: String) -> [Entry] {
        switch value {
        case .mapping:
            return mapping(value, what) ?? []
        case .sequence(let sequence):
            return sequence.flatMap { mapping($0, what) ?? [] }
        default:
            error("\(what): '<<' must merge a mapping or a list of mappings", at: value)
            return []
        }
    }

    /// Reports every key of `entries` that is not in `known`.
    func rejectUnknownKeys(
        _ entries: [Entry], known: [String], _ what: String, hint: (String) -> String? = { _ in nil }
    ) {
        for entry in entries where !known.contains(entry.key) {
            let extra = hint(entry.key).map { " (\($0))" } ?? ""
            error(
                "\(what): unknown key '\(entry.key.prefix(80))'\(extra); expected one of \(known.joined(separator: ", "))",
                at: entry.keyNode)
        }
    }

    /// The text of a scalar; an error for a mapping or a list.
    func scalar(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error("\(what) must be a single value, not a \(shape(of: node))", at: node)
            return nil
        }
        return scalar.string
    }

    /// The parsed value of a scalar, or `nil` (with an error) when it is missing or invalid.
    func value<T>(_ node: Node, _ what: String, _ parse: (String) throws(ConfigurationMessage) -> T) -> T? {
        guard let text = scalar(node, what) else { return nil }
        do {
            return try parse(text)
        } catch {
            self.error(error.text, at: node)
            return nil
        }
    }

    /// A list of scalars; a single scalar is taken as a blank-separated list.
    func scalarList(_ node: Node, _ what: String) -> [(text: String, node: Node)]? {
        switch node {
        case .sequence(let sequence):
            return sequence.compactMap { item in scalar(item, "each of \(what)").map { ($0, item) } }
        case .scalar(let scalar):
            return scalar.string.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { (String($0), node) }
        default:
            error("\(what) must be a list", at: node)
            return nil
        }
    }

    private func shape(of node: Node) -> String {
        switch node {
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .scalar: return "value"
        case .alias: return "alias"
        }
    }
}
