import Foundation

/// A load row as a store keeps it: one raw sample (`count == 1`) or a 5-minute bucket of
/// several (`count > 1`). Times are whole seconds since 1970.
///
/// Invariant: a bucket's `total` is the sum of its `loaded` usable loads (nil when there are
/// none), `minimum...maximum` bound them; a raw sample's `total` is the load as reported (usable
/// or not) and its `loaded` is not used.
public struct StoredLoad: Hashable, Sendable {
    public var time: Int64
    public var count: Int
    public var loaded: Int
    public var total: Int64?
    public var minimum: Int64?
    public var maximum: Int64?
    public var failure: String?

    public init(
        time: Int64, count: Int = 1, loaded: Int = 0, total: Int64?, minimum: Int64? = nil,
        maximum: Int64? = nil, failure: String?
    ) {
        self.time = time
        self.count = count
        self.loaded = loaded
        self.total = total
        self.minimum = minimum
        self.maximum = maximum
        self.failure = failure
    }

    /// The sample `node` shows for this row.
    public func sample(node: String) -> LoadSample {
        let at = Date(timeIntervalSince1970: Double(time))
        guard count > 1 else {
            return LoadSample(node: node, at: at, load: total.map(Double.init), failure: failure)
        }
        let mean = loaded > 0 ? total.map { Double($0) / Double(loaded) } : nil
        return LoadSample(
            node: node, at: at, load: mean, minimum: loaded > 0 ? minimum.map(Double.init) : nil,
            maximum: loaded > 0 ? maximum.map(Double.init) : nil, failure: failure, samples: count)
    }
}

/// The 5-minute roll-up: which bucket a time falls in, and how the rows of one bucket become
/// one. Pure, so that every store rolls up the same way.
public enum LoadRollup {
    /// Seconds in a bucket.
    public static let bucket: Int64 = 300

    /// The start of the bucket holding `time` (floor, also before 1970).
    public static func bucketStart(_ time: Int64) -> Int64 {
        time - ((time % bucket) + bucket) % bucket
    }

    /// One row for the rows of one bucket: the mean, minimum and maximum of the usable loads
    /// (a raw sample with a failure does not count, even when it carried a load), the count of
    /// samples, and the most frequent failure (ties: the first in name order).
    public static func merge(_ rows: [StoredLoad], at start: Int64) -> StoredLoad {
        var count = 0
        var loaded = 0
        var total: Int64 = 0
        var minimum: Int64?
        var maximum: Int64?
        var failures: [String: Int] = [:]
        for row in rows {
            count += row.count
            if row.count <= 1 {
                if row.failure == nil, let load = row.total {
                    loaded += 1
                    total &+= load
                    minimum = Swift.min(minimum ?? load, load)
                    maximum = Swift.max(maximum ?? load, load)
                } else if let failure = row.failure {
                    failures[failure, default: 0] += 1
                }
            } else {
                if row.loaded > 0 {
                    loaded += row.loaded
                    total &+= row.total ?? 0
                    if let low = row.minimum { minimum = Swift.min(minimum ?? low, low) }
                    if let high = row.maximum { maximum = Swift.max(maximum ?? high, high) }
                }
                if let failure = row.failure { failures[failure, default: 0] += row.count - row.loaded }
            }
        }
        let failure = failures.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
        return StoredLoad(
            time: start, count: count, loaded: loaded, total: loaded > 0 ? total : nil,
            minimum: loaded > 0 ? minimum : nil, maximum: loaded > 0 ? maximum : nil, failure: failure)
    }

    /// The buckets of `rows` (one member's, any order) that hold more than one row, each with
    /// the rows to replace and the row replacing them. A bucket with one row is left as it is:
    /// it stands for exactly one sample, at its own time.
    public static func plan(_ rows: [StoredLoad]) -> [(replaced: [StoredLoad], merged: StoredLoad)] {
        let groups = Dictionary(grouping: rows) { bucketStart($0.time) }
        return groups.keys.sorted().compactMap { start in
            guard let group = groups[start], group.count > 1 else { return nil }
            return (group, merge(group, at: start))
        }
    }

    /// Cycles of one bucket as one: durations averaged, counts summed.
    public static func merge(_ cycles: [CycleRecord], at start: Date) -> CycleRecord {
        var merged = CycleRecord(
            at: start, duration: 0, aliases: 0, nodesPolled: 0, pollFailures: [:], publishFailures: [:])
        for cycle in cycles {
            merged.duration += cycle.duration
            merged.aliases += cycle.aliases
            merged.nodesPolled += cycle.nodesPolled
            merged.pollFailures.merge(cycle.pollFailures, uniquingKeysWith: +)
            merged.publishFailures.merge(cycle.publishFailures, uniquingKeysWith: +)
        }
        if !cycles.isEmpty { merged.duration /= Double(cycles.count) }
        return merged
    }
}

extension Date {
    /// Whole seconds since 1970, rounded down: how the stores keep times.
    var historySeconds: Int64 {
        let value = timeIntervalSince1970.rounded(.down)
        guard value.isFinite else { return 0 }
        return Int64(Swift.max(Swift.min(value, 1e15), -1e15))
    }

    /// The first whole second at or after this time: `t >= self` for a whole `t` is `t >= this`.
    var historySecondsUp: Int64 {
        let value = timeIntervalSince1970.rounded(.up)
        guard value.isFinite else { return 0 }
        return Int64(Swift.max(Swift.min(value, 1e15), -1e15))
    }
}
