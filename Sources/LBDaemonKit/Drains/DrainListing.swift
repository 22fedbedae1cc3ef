import Foundation
import LBCore

/// The drains as `lbd drains` prints them: one row per drain with who, why, since when and
/// until when (with the time left), and the same as JSON (`--json`, the API's list).
public enum DrainListing {
    /// One drain as the JSON list and the API show it.
    public struct Entry: Hashable, Sendable, Codable {
        public var node: String
        /// Absent: every alias the node is a member of.
        public var alias: String?
        public var by: String
        public var reason: String
        public var since: Date
        /// Absent for a drain that lasts until undrained.
        public var until: Date?
        /// Seconds left; absent for a drain that lasts until undrained.
        public var remaining: Int?
        /// What a member's explanation says: `drained by <who>: <reason>`.
        public var explanation: String

        public init(_ drain: Drain, now: Int) {
            node = drain.node
            alias = drain.alias
            by = drain.by
            reason = drain.reason
            since = Date(timeIntervalSince1970: TimeInterval(drain.since))
            until = drain.until.map { Date(timeIntervalSince1970: TimeInterval($0)) }
            remaining = drain.until.map { max($0 - now, 0) }
            explanation = drain.explanation
        }
    }

    /// The JSON document: `{"drains": [...]}`.
    public struct Document: Hashable, Sendable, Codable {
        public var drains: [Entry]

        public init(drains: [Entry]) {
            self.drains = drains
        }
    }

    /// The drains in force at `now`, sorted by node then alias.
    public static func entries(_ drains: [Drain], now: Int) -> [Entry] {
        drains.filter { $0.isActive(at: now) }
            .sorted { ($0.node.lowercased(), $0.alias ?? "") < ($1.node.lowercased(), $1.alias ?? "") }
            .map { Entry($0, now: now) }
    }

    public static func json(_ drains: [Drain], now: Int) -> String {
        // The API's encoding, so that `lbd drains --json` and `GET /api/v1/drains` say the same.
        let data =
            (try? InstanceStatus.makeEncoder().encode(Document(drains: entries(drains, now: now)))) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A table, or a sentence when nothing is drained.
    public static func table(_ drains: [Drain], now: Int) -> String {
        let entries = entries(drains, now: now)
        guard !entries.isEmpty else { return "no node is drained\n" }
        let header = ["NODE", "ALIAS", "BY", "SINCE", "UNTIL", "REMAINING", "REASON"]
        let rows = entries.map { entry in
            [
                entry.node, entry.alias ?? "all aliases", entry.by, time(entry.since),
                entry.until.map(time) ?? "undrained", entry.remaining.map(remaining) ?? "-", entry.reason,
            ]
        }
        let widths = (0..<header.count - 1).map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column < widths.count
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// `2026-12-05T10:05:38Z`.
    public static func time(_ unixTime: Int) -> String {
        time(Date(timeIntervalSince1970: TimeInterval(unixTime)))
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// `1d 2h`, `2h 30m`, `5m 3s`, `42s`.
    public static func remaining(_ seconds: Int) -> String {
        let units = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var left = max(seconds, 0)
        var parts: [String] = []
        for (unit, size) in units where left >= size || (unit == "s" && parts.isEmpty) {
            parts.append("\(left / size)\(unit)")
            left %= size
            if parts.count == 2 { break }
        }
        return parts.joined(separator: " ")
    }
}
