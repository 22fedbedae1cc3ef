/// What `lbbench cycle` checks each cycle's decisions against, in a few arrays: the fleet's
/// description (names, memberships, indexes: tens of megabytes at 100,000 nodes) is dropped
/// before the first cycle, so that the process's peak RSS is lbd's own.
struct CycleExpectations {
    private let dead: [Bool]
    private let loads: [Int]
    private let answersPerAlias: [Bool]

    init(_ fleet: CycleFleet) {
        dead = fleet.dead
        loads = fleet.loads
        answersPerAlias = fleet.answersPerAlias
    }

    var nodeCount: Int { dead.count }

    /// The index of a node from its name (`node00042.bench.example` is 42).
    func node(named name: String) -> Int? {
        Self.index(in: name, after: "node").flatMap { $0 < dead.count ? $0 : nil }
    }

    /// The index of an alias from its name (`alias0007.lb.example` is 7).
    func alias(named name: String) -> Int? { Self.index(in: name, after: "alias") }

    /// What lbd should conclude about `node` for `alias`: its load, or nil when it cannot answer.
    func expectedLoad(node: Int, alias: Int) -> Int? {
        guard !dead[node] else { return nil }
        return loads[node] + (answersPerAlias[node] ? CycleFleet.aliasOffset(alias) : 0)
    }

    private static func index(in name: String, after prefix: String) -> Int? {
        guard name.hasPrefix(prefix) else { return nil }
        return Int(name.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber })
    }
}
