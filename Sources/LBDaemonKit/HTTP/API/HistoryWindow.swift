import Foundation

/// The `from` and `to` of a history request: ISO-8601 times or unix seconds, the last 24 hours
/// by default, never longer than what the history keeps.
struct HistoryWindow: Hashable, Sendable {
    static let defaultLength: TimeInterval = 86_400

    var from: Date
    var to: Date

    /// - Parameters:
    ///   - maximum: the longest window (the retention); a longer one is refused, not cut, so that
    ///     a chart never silently shows less than asked.
    ///   - now: `to` when none is given.
    init(from fromText: String?, to toText: String?, maximum: TimeInterval, now: Date) throws(APIError) {
        let to = try toText.map { text throws(APIError) in try Self.time(text, "to") } ?? now
        let from =
            try fromText.map { text throws(APIError) in try Self.time(text, "from") }
            ?? to.addingTimeInterval(-Self.defaultLength)
        guard from < to else {
            throw .badRequest("from must be before to (from \(Self.format(from)), to \(Self.format(to)))")
        }
        guard to.timeIntervalSince(from) <= maximum else {
            throw .badRequest(
                "the window is longer than the history keeps (\(Int(maximum)) s): ask for a shorter one")
        }
        self.from = from
        self.to = to
    }

    /// `text` as ISO-8601 (`2026-01-02T03:04:05Z`, fractional seconds allowed) or unix seconds.
    static func time(_ text: String, _ name: String) throws(APIError) -> Date {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e11 {
            return Date(timeIntervalSince1970: seconds)
        }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        if let date = plain.date(from: text) ?? fractional.date(from: text) { return date }
        throw .badRequest(
            "\(name) '\(text.prefix(40))' is not a time: give ISO-8601 (2026-01-02T03:04:05Z) or unix seconds"
        )
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
