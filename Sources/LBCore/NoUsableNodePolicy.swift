/// What an alias publishes when none of its members is usable.
///
/// golbd encodes this in its `metric` parameter; the three metric names map one to one onto
/// these policies.
public enum NoUsableNodePolicy: String, CaseIterable, Hashable, Sendable {
    /// Publish `bestHosts` members picked at random, whatever they answered (golbd `minimum`).
    case random
    /// Publish no address at all: the alias stops resolving (golbd `minino`).
    case empty
    /// Leave DNS as it is: the last published hosts stay (golbd `cmsfrontier`).
    case keep

    /// The policy a golbd `metric` name stands for; `nil` for any other name.
    public init?(golbdMetric: String) {
        switch golbdMetric {
        case "minimum": self = .random
        case "minino": self = .empty
        case "cmsfrontier": self = .keep
        default: return nil
        }
    }

    /// The golbd `metric` name with the same behaviour.
    public var golbdMetric: String {
        switch self {
        case .random: return "minimum"
        case .empty: return "minino"
        case .keep: return "cmsfrontier"
        }
    }
}
