import ArgumentParser
import LBCore

/// The nodes and aliases of `lbbench cycle`, drawn from a seed so that the benchmark and its
/// agents child build the same fleet from the same options without exchanging it.
///
/// Invariant: node `i` is polled at `address(of: i)`, and every node is a member of at least one
/// alias, so one evaluation of every alias polls every node.
struct CycleFleet {
    let nodeNames: [String]
    let aliasNames: [String]
    /// Member node indices of each alias, without duplicates.
    let members: [[Int]]
    let dead: [Bool]
    /// The load a node reports; a per-alias node adds `aliasOffset` for each alias.
    let loads: [Int]
    let answersPerAlias: [Bool]
    /// The aliases each node belongs to, for the per-alias answers.
    let aliasesOfNode: [[Int]]
    let aliasIndex: [String: Int]
    let nodeIndex: [String: Int]

    init(nodes: Int, aliases: Int, deadFraction: Double, perAliasEvery: Int, seed: UInt64) {
        var random = SeededRandomNumberGenerator(seed: seed)
        nodeNames = (0..<nodes).map { "node\(Self.padded($0, to: 5)).bench.example" }
        aliasNames = (0..<aliases).map { "alias\(Self.padded($0, to: 4)).lb.example" }
        var dead = [Bool](repeating: false, count: nodes)
        for index in Array(0..<nodes).shuffled(using: &random).prefix(
            Int((deadFraction * Double(nodes)).rounded()))
        {
            dead[index] = true
        }
        self.dead = dead
        loads = (0..<nodes).map { _ in Int.random(in: 1...999, using: &random) }
        // Every perAliasEvery-th live node answers per alias, as lbclient does for nodes whose
        // checks differ between aliases.
        var liveSeen = 0
        answersPerAlias = dead.map { isDead in
            guard !isDead, perAliasEvery > 0 else { return false }
            liveSeen += 1
            return liveSeen % perAliasEvery == 0
        }
        members = Self.drawMembers(nodes: nodes, aliases: aliases, using: &random)
        var aliasesOfNode = [[Int]](repeating: [], count: nodes)
        for (alias, nodes) in members.enumerated() {
            for node in nodes { aliasesOfNode[node].append(alias) }
        }
        self.aliasesOfNode = aliasesOfNode
        aliasIndex = Dictionary(uniqueKeysWithValues: aliasNames.enumerated().map { ($1, $0) })
        nodeIndex = Dictionary(uniqueKeysWithValues: nodeNames.enumerated().map { ($1, $0) })
    }

    /// Nodes dealt round-robin in a random order, so each alias gets its share and every node is
    /// used, then up to four more drawn from all nodes, so that about a third of the nodes back
    /// several aliases as in production.
    private static func drawMembers(
        nodes: Int, aliases: Int, using random: inout SeededRandomNumberGenerator
    ) -> [[Int]] {
        var members = [[Int]](repeating: [], count: aliases)
        for (position, node) in Array(0..<nodes).shuffled(using: &random).enumerated() {
            members[position % aliases].append(node)
        }
        for alias in 0..<aliases {
            let extra = Int.random(in: 0...4, using: &random) + (members[alias].count < 2 ? 2 : 0)
            for _ in 0..<extra {
                let node = Int.random(in: 0..<nodes, using: &random)
                if !members[alias].contains(node) { members[alias].append(node) }
            }
        }
        return members
    }

    var nodeCount: Int { nodeNames.count }

    /// 127.1.0.1 upwards: every 127/8 address is local on Linux, so each node gets its own (up to
    /// 127.255.255.255: 16 million nodes).
    static func address(of node: Int) -> String {
        let value = 0x7F01_0000 + UInt32(node) + 1
        return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// The node polled at the IPv4 address `value` (host order) in a fleet of `count` nodes.
    static func node(atIPv4 value: UInt32, count: Int) -> Int? {
        let node = Int(value) - 0x7F01_0001
        return (0..<count).contains(node) ? node : nil
    }

    /// The small difference between the loads a per-alias node reports for its aliases.
    static func aliasOffset(_ alias: Int) -> Int { alias % 7 }

    /// What lbd should conclude about `node` for `alias`: its load, or nil when it cannot answer.
    func expectedLoad(node: Int, alias: Int) -> Int? {
        guard !dead[node] else { return nil }
        return loads[node] + (answersPerAlias[node] ? Self.aliasOffset(alias) : 0)
    }

    /// The value the node's agent serves at the load OID: an INTEGER or `alias=load,...`.
    func answer(of node: Int) -> LoadAnswer {
        guard answersPerAlias[node] else { return .integer(loads[node]) }
        return .text(
            aliasesOfNode[node].map { "\(aliasNames[$0])=\(loads[node] + Self.aliasOffset($0))" }
                .joined(separator: ","))
    }

    enum LoadAnswer {
        case integer(Int)
        case text(String)
    }

    private static func padded(_ value: Int, to width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A share of the nodes, written `5%` (or `5`) on the command line.
struct Percentage: ExpressibleByArgument, CustomStringConvertible {
    var percent: Double

    init?(argument: String) {
        let number = argument.hasSuffix("%") ? String(argument.dropLast()) : argument
        guard let percent = Double(number), (0...100).contains(percent) else { return nil }
        self.percent = percent
    }

    var fraction: Double { percent / 100 }
    var description: String { "\(percent)%" }
}
