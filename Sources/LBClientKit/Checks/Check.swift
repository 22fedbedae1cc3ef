/// A prepared configuration line: its arguments were parsed and validated when the file was
/// read, so running it only inspects the system.
///
/// A check reports a ``CheckResult``; a negative value is a failure and the evaluator turns it
/// into the keyword's failure code. Throwing means the check could not be evaluated at all (a
/// missing file it needs, a helper program that does not exist): the alias then reports the
/// keyword's failure code too, and the log says why.
public protocol Check: Sendable {
    func run(in context: CheckContext) async throws -> CheckResult
}

/// The outcome of one line: its value and, for the logs, why.
public struct CheckResult: Sendable, Hashable {
    /// `>= 0` passes (a load line adds it); `< 0` fails.
    public var value: Int
    /// One short sentence for the logs, e.g. `/etc/nologin exists`.
    public var detail: String

    public init(value: Int, detail: String) {
        self.value = value
        self.detail = detail
    }

    /// A passing check (value 1, as golbclient's checks return).
    public static func pass(_ detail: String) -> CheckResult { CheckResult(value: 1, detail: detail) }
    /// A failing check.
    public static func fail(_ detail: String) -> CheckResult { CheckResult(value: -1, detail: detail) }

    public var passed: Bool { value >= 0 }
}

/// A check that could not be evaluated. The message names what was missing or wrong.
public struct CheckError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Converts a computed number to a line result the way every keyword does: truncation toward
/// zero, saturating at the 32-bit limits (golbclient wrapped, turning large loads into failures).
/// NaN and the infinities (a division by zero) mean the metric is unusable, so they fail, as
/// they did in golbclient.
public func lineValue(_ number: Double) -> Int {
    if !number.isFinite { return -1 }
    if number >= Double(Int32.max) { return Int(Int32.max) }
    if number <= Double(Int32.min) { return Int(Int32.min) }
    return Int(number.rounded(.towardZero))
}
