/// How many usable members an alias publishes.
public enum BestHosts: Hashable, Sendable, CustomStringConvertible {
    /// The `n` least loaded usable members (n >= 1).
    case count(Int)
    /// Every usable member (golbd's `best_hosts = -1`).
    case allUsable

    /// The golbd integer form: `n`, or -1 for all usable members.
    public init?(golbdValue: Int) {
        if golbdValue == -1 {
            self = .allUsable
        } else if golbdValue >= 1 {
            self = .count(golbdValue)
        } else {
            return nil
        }
    }

    /// The golbd integer form: `n`, or -1 for all usable members.
    public var golbdValue: Int {
        switch self {
        case .count(let n): return n
        case .allUsable: return -1
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return String(n)
        case .allUsable: return "all usable"
        }
    }
}
