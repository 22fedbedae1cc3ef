/// The floor of usable members below which an alias stops trusting its ranking (`min_usable`).
public enum MinimumUsable: Hashable, Sendable, CustomStringConvertible {
    /// At least this many usable members (n >= 1).
    case count(Int)
    /// At least this share of the members, in percent (1...100), rounded up: 50% of 3 members is 2.
    case percent(Int)

    /// The number of usable members needed out of `members`.
    public func required(members: Int) -> Int {
        switch self {
        case .count(let count): return count
        case .percent(let percent): return (members * percent + 99) / 100
        }
    }

    public var description: String {
        switch self {
        case .count(let count): return String(count)
        case .percent(let percent): return "\(percent)%"
        }
    }
}

/// What an alias with fewer usable members than `min_usable` publishes.
public enum BelowMinimumPolicy: String, CaseIterable, Hashable, Sendable {
    /// Publish every member that resolved, usable or not, as gdnsd does below `up_thresh`: a
    /// check that fails everywhere at once is more likely wrong than every node.
    case failOpen = "fail_open"
    /// Leave DNS as it is.
    case keep
}
