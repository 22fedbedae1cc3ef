/// `check roger`: passes only while the node's roger state (CERN's node-state database, written
/// locally by the roger agent) says it should serve: `production`, or `ignore_roger` for nodes
/// that opted out.
///
/// The state is the last line of `/etc/roger/current.yaml` of the form `appstate: <state>` at
/// column 0. A state written as a YAML quoted string (`"production"`, `'production'`) is read
/// without its quotes; golbclient compared the quotes too and failed such nodes.
public struct RogerCheck: Check {
    static let stateFile = "/etc/roger/current.yaml"
    /// The states that keep the node in its aliases.
    static let servingStates: Set<String> = ["production", "ignore_roger"]

    /// Anything after the keyword is ignored.
    public init(line: ConfigLine) throws {}

    public func run(in context: CheckContext) async throws -> CheckResult {
        let contents: String
        do {
            contents = try SystemFile.text(context.system.path(Self.stateFile))
        } catch {
            throw CheckError("\(error); is the roger agent installed?")
        }
        guard let state = Self.appState(in: contents) else {
            return .fail("\(Self.stateFile) has no appstate line")
        }
        if Self.servingStates.contains(state) {
            return .pass("roger appstate is \(state)")
        }
        return .fail("roger appstate is \(state), not production")
    }

    /// The value of the last `appstate:` line, quotes removed; nil when there is none.
    static func appState(in contents: String) -> String? {
        var state: String?
        for line in contents.split(whereSeparator: \.isNewline) {
            guard line.hasPrefix("appstate:") else { continue }
            let value = line.dropFirst("appstate:".count).drop { $0 == " " }
            // The first run of non-blank characters, like the original's `(\S+)`.
            let word = value.prefix { !$0.isWhitespace }
            guard !word.isEmpty, value.first.map({ !$0.isWhitespace }) ?? false else { continue }
            state = unquoted(String(word))
        }
        return state
    }

    private static func unquoted(_ word: String) -> String {
        for quote in ["\"", "'"] where word.count >= 2 && word.hasPrefix(quote) && word.hasSuffix(quote) {
            return String(word.dropFirst().dropLast())
        }
        return word
    }
}
