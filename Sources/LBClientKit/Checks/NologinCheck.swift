/// `check nologin`: fails while logins are closed, on the whole node (`/etc/nologin`) or for
/// the load-balanced service (`/etc/iss.nologin`, the operators' way to drain a node).
///
/// The shared default file looks at `/etc/iss.nologin`; an alias-specific file looks at
/// `/etc/iss.nologin.<its first alias>` instead, so one alias can be drained while the node
/// stays in the others. Any file type counts, even a directory, and a file that cannot be
/// examined counts as absent, as in golbclient.
public struct NologinCheck: Check {
    /// Anything after the keyword is ignored, as golbclient did.
    public init(line: ConfigLine) throws {}

    public func run(in context: CheckContext) async throws -> CheckResult {
        let files = Self.files(isAliasSpecific: context.isAliasSpecific, aliases: context.aliases)
        for file in files where SystemFile.exists(context.system.path(file)) {
            return .fail("\(file) exists")
        }
        // Concatenated by hand: `joined(separator:)` is generic code the runtime resolves at
        // every one-shot run.
        var named = ""
        for file in files {
            if !named.isEmpty { named += " nor " }
            named += file
        }
        return .pass("neither \(named) exists")
    }

    /// The files whose presence closes logins for a file serving `aliases`.
    static func files(isAliasSpecific: Bool, aliases: [String]) -> [String] {
        // An alias-specific file always serves exactly one alias; should none be given, the
        // shared file is the safer choice than checking nothing.
        if isAliasSpecific, let alias = aliases.first, !alias.isEmpty {
            return ["/etc/nologin", "/etc/iss.nologin.\(alias)"]
        }
        return ["/etc/nologin", "/etc/iss.nologin"]
    }
}
