import Foundation

/// What the history says about one alias over a window: when each node was behind it, the loads
/// it reported, and the decisions that changed what DNS showed.
public struct AliasHistory: Hashable, Sendable, Codable {
    public var alias: String
    public var from: Date
    public var to: Date
    /// Intervals during which a node was published, clipped to the window, by node then time.
    public var memberships: [MembershipInterval]
    /// Load samples by node then time: one per evaluation while raw, one per 5-minute bucket once
    /// rolled up.
    public var loads: [LoadSample]
    /// The evaluations that changed the published set or the policy, oldest first.
    public var decisions: [DecisionChange]

    public init(
        alias: String, from: Date, to: Date, memberships: [MembershipInterval], loads: [LoadSample],
        decisions: [DecisionChange]
    ) {
        self.alias = alias
        self.from = from
        self.to = to
        self.memberships = memberships
        self.loads = loads
        self.decisions = decisions
    }

    /// The share of the window, 0...1, during which each node that appears in it was behind the
    /// alias. The window is `from..<to`; a node never published has no entry.
    public func shareBehindAlias() -> [String: Double] {
        let window = to.timeIntervalSince(from)
        guard window > 0 else { return [:] }
        var seconds: [String: Double] = [:]
        for interval in memberships {
            let start = max(interval.from, from)
            let end = min(interval.to ?? to, to)
            if end > start { seconds[interval.node, default: 0] += end.timeIntervalSince(start) }
        }
        return seconds.mapValues { min($0 / window, 1) }
    }
}

/// A node behind an alias from `from` until `to` (nil: still is).
public struct MembershipInterval: Hashable, Sendable, Codable {
    public var node: String
    public var from: Date
    public var to: Date?

    public init(node: String, from: Date, to: Date?) {
        self.node = node
        self.from = from
        self.to = to
    }
}

/// A node's load at one time, or over one roll-up bucket.
public struct LoadSample: Hashable, Sendable, Codable {
    public var node: String
    /// The evaluation's time, or the start of the 5-minute bucket.
    public var at: Date
    /// The load (the mean over a bucket); nil when the node gave none (`failure` says why).
    public var load: Double?
    /// The lowest and highest load of a bucket; equal to `load` for a raw sample.
    public var minimum: Double?
    public var maximum: Double?
    /// Why no load (for a bucket: the most frequent cause); nil when there is one.
    public var failure: String?
    /// How many evaluations the sample stands for (1 when raw).
    public var samples: Int

    public init(
        node: String, at: Date, load: Double?, minimum: Double? = nil, maximum: Double? = nil,
        failure: String? = nil, samples: Int = 1
    ) {
        self.node = node
        self.at = at
        self.load = load
        self.minimum = minimum ?? load
        self.maximum = maximum ?? load
        self.failure = failure
        self.samples = samples
    }
}

/// An evaluation that changed what an alias published, or how it decided.
public struct DecisionChange: Hashable, Sendable, Codable {
    public var at: Date
    public var policy: AppliedPolicy
    /// The addresses published after the change; nil when DNS was kept.
    public var published: [String]?
    /// Nodes that entered the published set, with why.
    public var entered: [NodeReason]
    /// Nodes that left it, with why.
    public var left: [NodeReason]
    public var action: String

    public init(
        at: Date, policy: AppliedPolicy, published: [String]?, entered: [NodeReason], left: [NodeReason],
        action: String
    ) {
        self.at = at
        self.policy = policy
        self.published = published
        self.entered = entered
        self.left = left
        self.action = action
    }

    /// A node and one sentence on why.
    public struct NodeReason: Hashable, Sendable, Codable {
        public var node: String
        public var reason: String

        public init(node: String, reason: String) {
            self.node = node
            self.reason = reason
        }
    }
}
