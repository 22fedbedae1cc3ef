import LBCore

/// Decides whether the node's answer changed enough to tell lbd at once, rather than wait for
/// lbd's next poll.
///
/// A change is an alias that turns usable or unusable (``Load/usableRange``), that appears or
/// disappears, or whose usable load moves by more than ``loadShare`` of the load lbd was last
/// told. Pure: the caller keeps the previous answer.
public struct LoadChangeDetector: Hashable, Sendable {
    /// A usable load that moves by more than this share of the previous one (0.5 = 50%) is a
    /// change; `nil` ignores load moves, leaving them to lbd's polls.
    public var loadShare: Double?

    /// The default share, 50%: small loads jitter (3 to 4 is already +33%) and every notification
    /// makes lbd re-poll and re-evaluate, while lbd's own polls catch gradual moves anyway.
    public static let defaultLoadShare = 0.5

    public init(loadShare: Double? = LoadChangeDetector.defaultLoadShare) {
        self.loadShare = loadShare
    }

    /// One reason to notify.
    public enum Change: Hashable, Sendable, CustomStringConvertible {
        case appeared(alias: String, load: Int)
        case disappeared(alias: String)
        case becameUsable(alias: String, load: Int)
        case becameUnusable(alias: String, load: Int)
        case loadMoved(alias: String, from: Int, to: Int)

        public var description: String {
            switch self {
            case .appeared(let alias, let load): "\(Self.name(alias)) appeared with \(load)"
            case .disappeared(let alias): "\(Self.name(alias)) disappeared"
            case .becameUsable(let alias, let load): "\(Self.name(alias)) became usable with \(load)"
            case .becameUnusable(let alias, let load): "\(Self.name(alias)) became unusable with \(load)"
            case .loadMoved(let alias, let from, let to): "\(Self.name(alias)) moved from \(from) to \(to)"
            }
        }

        private static func name(_ alias: String) -> String {
            alias == NodeLoads.wholeNode ? "the node" : alias
        }
    }

    /// Every change from `previous` to `current`: aliases of `current` in answer order, then
    /// those that disappeared. Empty when there is nothing to tell.
    public func changes(from previous: NodeLoads, to current: NodeLoads) -> [Change] {
        var changes: [Change] = []
        for (alias, load) in current.entries {
            guard let before = previous.load(of: alias) else {
                changes.append(.appeared(alias: alias, load: load))
                continue
            }
            switch (Load.isUsable(before), Load.isUsable(load)) {
            case (false, true):
                changes.append(.becameUsable(alias: alias, load: load))
            case (true, false):
                changes.append(.becameUnusable(alias: alias, load: load))
            case (true, true) where moved(from: before, to: load):
                changes.append(.loadMoved(alias: alias, from: before, to: load))
            default:
                break
            }
        }
        for (alias, _) in previous.entries where current.load(of: alias) == nil {
            changes.append(.disappeared(alias: alias))
        }
        return changes
    }

    private func moved(from before: Int, to after: Int) -> Bool {
        guard let loadShare else { return false }
        return Double(abs(after - before)) > loadShare * Double(before)
    }
}

/// The loads of one answer, by alias, in answer order.
///
/// An answer with a single value (one configuration file) is keyed by ``wholeNode``; no answer
/// at all (no configuration found) has no entries.
public struct NodeLoads: Hashable, Sendable {
    /// The key of an answer that is a single value for the whole node.
    public static let wholeNode = ""

    public private(set) var entries: [(alias: String, load: Int)]

    public init(_ entries: [(alias: String, load: Int)] = []) {
        // A repeated alias keeps its first value, as a reader of the answer would.
        var seen = Set<String>()
        self.entries = entries.filter { seen.insert($0.alias).inserted }
    }

    public init(_ answer: PassAnswer?) {
        switch answer {
        case nil: self.init()
        case .integer(let load)?: self.init([(Self.wholeNode, load)])
        case .perAlias(let loads)?: self.init(loads)
        }
    }

    public func load(of alias: String) -> Int? {
        entries.first { $0.alias == alias }?.load
    }

    public static func == (lhs: NodeLoads, rhs: NodeLoads) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.alias == $1.alias && $0.load == $1.load }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.alias)
            hasher.combine(entry.load)
        }
    }
}
