/// Why `lbd explain` printed no decision, with the exit code it ends with.
public enum AliasExplanationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// No alias of that name was decided where lbd looked (`source`); names close to it.
    case unknownAlias(String, closeNames: [String], source: String)
    /// The running lbd serves the alias but has not evaluated it yet.
    case notEvaluatedYet(String, url: String)
    /// No lbd answered, and there is no decisions file to read instead.
    case nothingToRead(running: AliasExplanationError, file: DecisionsFileError)
    /// A running lbd answered, but not with a decision (a token is needed, not lbd...).
    case running(AliasExplanationError)
    /// The decisions file could not be read (it names the file).
    case decisionsFile(DecisionsFileError)

    /// 1 when the alias has no decision to show, 2 when there was nothing (readable) to ask.
    public var exitCode: Int32 {
        switch self {
        case .unknownAlias, .notEvaluatedYet: 1
        case .nothingToRead, .running, .decisionsFile: 2
        }
    }

    public var description: String {
        switch self {
        case .unknownAlias(let alias, let names, let source):
            let shown = DecisionsFile.shown(alias)
            return "no decision for alias '\(shown)' in \(source)"
                + (names.isEmpty ? "" : "; close names: " + names.joined(separator: ", "))
        case .notEvaluatedYet(let alias, let url):
            return
                "the lbd at \(url) serves \(alias) but has not evaluated it yet: try again after its first round"
        case .nothingToRead(let running, let file):
            return
                "\(running), and \(file) (is lbd running? give --url, or --state-dir where `lbd run` keeps its state)"
        case .running(let error):
            return error.description
        case .decisionsFile(let error):
            return error.description
        }
    }
}
