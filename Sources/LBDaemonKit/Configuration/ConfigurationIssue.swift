/// One finding about a configuration file, located as precisely as the format allows.
///
/// Printed as `file:line:column: error: message`, the form editors and CI logs link to.
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
        self.file = file
        self.line = line
        self.column = column
        self.message = message
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
final class Diagnostics {
    let file: String
    private(set) var issues: [ConfigurationIssue] = []

    init(file: String) {
        self.file = file
    }

    var hasErrors: Bool { issues.contains { $0.severity == .error } }

    func error(_ message: String, line: Int?, column: Int? = nil) {
        issues.append(
            ConfigurationIssue(severity: .error, file: file, line: line, column: column, message: message))
    }

    func warning(_ message: String, line: Int?, column: Int? = nil) {
        issues.append(
            ConfigurationIssue(severity: .warning, file: file, line: line, column: column, message: message))
    }
}
