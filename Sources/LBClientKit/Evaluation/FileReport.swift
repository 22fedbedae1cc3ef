/// The value one configuration file gives its aliases, and why.
public struct FileReport: Sendable {
    public var mapping: ConfigMapping
    /// The load (`> 0`), or the negative failure code of the deciding line.
    public var value: Int
    /// Why the value is what it is, in one sentence for the logs.
    public var reason: String
    /// Every action line with its outcome, in file order (empty when the file could not be read).
    public var lines: [LineReport]
    /// The built-in load, when the file's loads summed to exactly 0.
    public var defaultLoad: DefaultLoadResult?

    public init(
        mapping: ConfigMapping, value: Int, reason: String, lines: [LineReport] = [],
        defaultLoad: DefaultLoadResult? = nil
    ) {
        self.mapping = mapping
        self.value = value
        self.reason = reason
        self.lines = lines
        self.defaultLoad = defaultLoad
    }

    /// The value reported for a file that cannot be read or parsed. golbclient set -1 for a
    /// syntax error before giving up on every alias; we report it for the broken file's aliases
    /// only.
    public static let unreadableFileValue = -1
}
