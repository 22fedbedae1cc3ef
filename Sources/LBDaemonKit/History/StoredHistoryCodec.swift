import Foundation

/// How the stores keep the parts of the history that are not numbers: a decision change, a
/// cycle, the chosen set of an alias. JSON with short keys, decoded defensively: a row damaged
/// on disk gives a `HistoryError`, never a crash.
public enum StoredHistoryCodec {
    /// Rows larger than this are refused when read (a damaged length would otherwise allocate).
    static let maximumBytes = 1 << 20

    private struct Decision: Codable {
        var p: String
        var u: [String]?
        var e: [[String]]
        var l: [[String]]
        var a: String
    }

    private struct Cycle: Codable {
        var d: Double
        var a: Int
        var n: Int
        var f: [String: Int]?
        var u: [String: Int]?
    }

    /// `change` without its time (the row has it).
    public static func encode(_ change: DecisionChange) -> Data {
        let body = Decision(
            p: change.policy.rawValue, u: change.published, e: change.entered.map { [$0.node, $0.reason] },
            l: change.left.map { [$0.node, $0.reason] }, a: change.action)
        return (try? encoder.encode(body)) ?? Data("{}".utf8)
    }

    /// The change stored as `bytes` at `at`.
    public static func decodeDecision(_ bytes: Data, at: Date) throws(HistoryError) -> DecisionChange {
        let body: Decision = try decode(bytes, "decision")
        guard let policy = AppliedPolicy(rawValue: body.p) else {
            throw .failed("a stored decision names an unknown policy '\(body.p.prefix(20))'")
        }
        func reasons(_ pairs: [[String]]) throws(HistoryError) -> [DecisionChange.NodeReason] {
            var result: [DecisionChange.NodeReason] = []
            for pair in pairs {
                guard pair.count == 2 else { throw .failed("a stored decision has a malformed member") }
                result.append(.init(node: pair[0], reason: pair[1]))
            }
            return result
        }
        return DecisionChange(
            at: at, policy: policy, published: body.u, entered: try reasons(body.e),
            left: try reasons(body.l),
            action: body.a)
    }

    /// `cycle` without its time.
    public static func encode(_ cycle: CycleRecord) -> Data {
        let body = Cycle(
            d: cycle.duration, a: cycle.aliases, n: cycle.nodesPolled,
            f: cycle.pollFailures.isEmpty ? nil : cycle.pollFailures,
            u: cycle.publishFailures.isEmpty ? nil : cycle.publishFailures)
        return (try? encoder.encode(body)) ?? Data("{}".utf8)
    }

    public static func decodeCycle(_ bytes: Data, at: Date) throws(HistoryError) -> CycleRecord {
        let body: Cycle = try decode(bytes, "cycle")
        return CycleRecord(
            at: at, duration: body.d, aliases: body.a, nodesPolled: body.n, pollFailures: body.f ?? [:],
            publishFailures: body.u ?? [:])
    }

    /// A set of node names.
    public static func encode(nodes: Set<String>) -> Data {
        (try? encoder.encode(nodes.sorted())) ?? Data("[]".utf8)
    }

    public static func decodeNodes(_ bytes: Data) throws(HistoryError) -> Set<String> {
        let nodes: [String] = try decode(bytes, "member set")
        return Set(nodes)
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    private static func decode<T: Decodable>(_ bytes: Data, _ what: String) throws(HistoryError) -> T {
        guard bytes.count <= maximumBytes else {
            throw .failed(
                "a stored \(what) is \(bytes.count) bytes, more than any lbd writes: the store is damaged")
        }
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw .failed("a stored \(what) cannot be read (\(bytes.count) bytes): the store is damaged")
        }
    }
}
