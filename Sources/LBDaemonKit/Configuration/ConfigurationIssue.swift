/// One finding about a configuration file, located as precisely as the format allows.
///
/// Printed as `file:line:column: error: message`, the form editors and CI logs link to. The file
/// name and the message never carry control characters (they are escaped, `\u{0}`), and a message
/// is at most a few hundred characters.
public struct ConfigurationIssue: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        /// The file cannot be used.
        case error
        /// Valid, but probably not what was meant.
        case warning
    }

    public var severity: Severity
    public var file: String
    /// 1-based; `nil` when the finding concerns the whole file.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(severity: Severity, file: String, line: Int?, column: Int? = nil, message: String) {
        self.severity = severity
        // A path is at most 4096 bytes on Linux: escaped, never cut.
        self.file = IssueText.isSafe(file, limit: .max) ? file : IssueText.sanitized(file, limit: .max)
        self.line = line
        self.column = column
        self.message = IssueText.isSafe(message) ? message : IssueText.sanitized(message)
    }

    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(severity.rawValue): \(message)"
    }
}

/// A configuration that cannot be used, with every error found (and the warnings).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        self.issues = issues
    }

    public var errors: [ConfigurationIssue] { issues.filter { $0.severity == .error } }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

/// A message about one value, before it is given its location.
public struct ConfigurationMessage: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String

    public init(_ text: String) {
        self.text = text
    }

    public var description: String { text }
}

/// Collects the issues of one file while it is parsed, so that every error is reported, not
/// only the first.
///
/// A file of garbage would otherwise give one issue per line (millions for a 16 MiB file): past
/// `maximumErrors` errors (or as many warnings) the rest are counted, not kept, and their
/// messages are not even built. With `IssueText.maximumLength`, this bounds the memory issues take.
final class Diagnostics {
    /// The most errors kept, and separately the most warnings.
    static let maximumErrors = 100

    let file: String
    private(set) var hasErrors = false
    private var kept: [ConfigurationIssue] = []
    /// Where the "… and N more errors" and "… and N more warnings" issues are in `kept`.
    private var errorOverflow: Int?
    private var warningOverflow: Int?
    private(set) var errorCount = 0
    private(set) var warningCount = 0

    init(file: String) {
        self.file = file
    }

    /// The issues kept, in the order found, with the totals of those left out.
    var issues: [ConfigurationIssue] {
        var issues = kept
        if let errorOverflow {
            issues[errorOverflow].message = Self.overflow(errorCount, "error")
        }
        if let warningOverflow {
            issues[warningOverflow].message = Self.overflow(warningCount, "warning")
        }
        return issues
    }

    private static func overflow(_ count: Int, _ kind: String) -> String {
        let more = count - maximumErrors
        return "… and \(more) more \(kind)\(more == 1 ? "" : "s") (\(count) in all): only the first "
            + "\(maximumErrors) are reported"
    }

    func error(_ message: @autoclosure () -> String, line: Int?, column: Int? = nil) {
        hasErrors = true
        errorCount += 1
        if errorCount <= Self.maximumErrors {
            kept.append(
                ConfigurationIssue(
                    severity: .error, file: file, line: line, column: column, message: message())
            )
        } else if errorOverflow == nil {
            errorOverflow = kept.count
            kept.append(ConfigurationIssue(severity: .error, file: file, line: nil, message: "more errors"))
        }
    }

    func warning(_ message: @autoclosure () -> String, line: Int?, column: Int? = nil) {
        warningCount += 1
        if warningCount <= Self.maximumErrors {
            kept.append(
                ConfigurationIssue(
                    severity: .warning, file: file, line: line, column: column, message: message()))
        } else if warningOverflow == nil {
            warningOverflow = kept.count
            kept.append(
                ConfigurationIssue(severity: .warning, file: file, line: nil, message: "more warnings"))
        }
    }
}
