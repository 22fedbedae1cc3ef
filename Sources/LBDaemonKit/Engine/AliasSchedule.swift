/// When each alias is next evaluated: its own polling interval after the start of its last
/// evaluation, give or take a small random jitter, so aliases drift apart instead of polling in one burst every
/// interval (golbd evaluated every alias of the same interval together).
public struct AliasSchedule: Sendable {
    public typealias Instant = ContinuousClock.Instant

    private struct Entry: Sendable {
        var interval: Duration
        var nextDue: Instant
        var running = false
        /// When the evaluation running now (or the last one) was taken.
        var startedAt: Instant?
    }

    /// The first evaluations after start are spread over at most this long.
    public static let startSpread: Duration = .seconds(5)
    /// Later evaluations move by at most a tenth of the interval, and never more than this.
    public static let maximumJitter: Duration = .seconds(5)

    private var entries: [String: Entry] = [:]

    public init() {}

    /// Follows the configuration: new aliases are due within `startSpread`, removed ones are
    /// forgotten, and those already known keep their schedule (taking a shorter interval
    /// into account at once).
    public mutating func update<R: RandomNumberGenerator>(
        intervals: [String: Duration], now: Instant, using random: inout R
    ) {
        entries = entries.filter { intervals[$0.key] != nil }
        for (alias, interval) in intervals {
            if var entry = entries[alias] {
                if interval < entry.interval { entry.nextDue = min(entry.nextDue, now + interval) }
                entry.interval = interval
                entries[alias] = entry
            } else {
                let spread = min(interval, Self.startSpread)
                entries[alias] = Entry(
                    interval: interval, nextDue: now + Self.fraction(of: spread, using: &random))
            }
        }
    }

    /// Drops `alias`, so that the next `update` schedules it as a new one.
    public mutating func forget(_ alias: String) {
        entries[alias] = nil
    }

    /// The aliases due at `now` and not being evaluated, by name; they are marked running,
    /// started at `now`.
    public mutating func takeDue(at now: Instant) -> [String] {
        let due = entries.filter { !$0.value.running && $0.value.nextDue <= now }.map(\.key).sorted()
        for alias in due {
            entries[alias]?.running = true
            entries[alias]?.startedAt = now
        }
        return due
    }

    /// Records that `alias` was evaluated, finishing at `now`: due again one interval after the
    /// evaluation started, moved by up to a tenth of the interval either way. Counting from the
    /// start keeps the promised rate when members time out: golbd's 10 s became about 16 s with
    /// one dead member when counted from the end. An evaluation longer than its interval makes
    /// the alias due at once.
    public mutating func finished<R: RandomNumberGenerator>(
        _ alias: String, at now: Instant, using random: inout R
    ) {
        guard var entry = entries[alias] else { return }
        let jitter = min(entry.interval / 10, Self.maximumJitter)
        let start = entry.startedAt.map { min($0, now) } ?? now
        entry.nextDue = start + entry.interval - jitter + Self.fraction(of: jitter * 2, using: &random)
        entry.running = false
        entries[alias] = entry
    }

    /// The earliest time an alias that is not running falls due.
    public var nextWake: Instant? {
        entries.values.filter { !$0.running }.map(\.nextDue).min()
    }

    /// The aliases scheduled, by name.
    public var aliases: [String] { entries.keys.sorted() }

    /// When `alias` is next due; nil when unknown.
    public func nextDue(of alias: String) -> Instant? { entries[alias]?.nextDue }

    /// A uniformly random duration in `0..<span` (zero for an empty span), to the millisecond.
    static func fraction<R: RandomNumberGenerator>(of span: Duration, using random: inout R) -> Duration {
        let milliseconds =
            span.components.seconds * 1000 + span.components.attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return .zero }
        return .milliseconds(Int64.random(in: 0..<milliseconds, using: &random))
    }
}
