import LBCore

/// `lbd simulate --drain NODE[@ALIAS]:REASON`: a drain in force in every simulated round.
///
/// The node ends at the first `:` or `@`; an IPv6 member is written in brackets,
/// `[2001:db8::1]@www.example.org:kernel upgrade`.
public enum DrainArgument {
    /// Why an argument is not a drain.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The drain `text` describes, made by `by`.
    public static func parse(_ text: String, by: String) throws(Invalid) -> Drain {
        let usage =
            "--drain takes NODE[@ALIAS]:REASON, such as node1.example.org@www.example.org:kernel upgrade"
        var rest = Substring(text)
        let node: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw Invalid(description: "\(usage); '\(text.prefix(60))' has no closing ']'")
            }
            node = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex { $0 == ":" || $0 == "@" } ?? rest.endIndex
            node = rest[..<end]
            rest = rest[end...]
        }
        var alias: Substring?
        if rest.hasPrefix("@") {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            alias = rest[rest.index(after: rest.startIndex)..<end]
            rest = rest[end...]
        }
        guard rest.hasPrefix(":") else {
            throw Invalid(description: "\(usage); '\(text.prefix(60))' gives no reason after ':'")
        }
        let reason = String(rest.dropFirst().trimmingBlanks)
        guard !node.isEmpty, alias.map({ !$0.isEmpty }) ?? true, !reason.isEmpty else {
            throw Invalid(description: "\(usage), not '\(text.prefix(60))'")
        }
        return Drain(node: String(node), alias: alias.map(String.init), by: by, reason: reason, since: 0)
    }
}
