import Foundation
import LBCore

/// The node replies `lbd simulate` decides on, read from JSON:
///
/// ```json
/// {"nodes": {"node1.example.org": {"10.0.0.1": 12, "2001:db8::1": null},
///            "node2.example.org": {"10.0.0.2": "www.example.org=5,api.example.org=-3"},
///            "node3.example.org": {"10.0.0.3": {"error": "authentication failure"}},
///            "node4.example.org": null}}
/// ```
///
/// A reply is an integer (an SNMP INTEGER), a string (an OCTET STRING), `null` (no answer: a
/// timeout after one attempt) or `{"error": "..."}` (a failed exchange, known by its text). A node
/// set to `null`, or absent, did not resolve.
///
/// To show what the options beyond golbd's do, which depend on what came before, the file may
/// also give:
/// - `"published": {ALIAS: [ADDRESS...]}`: what DNS holds now, so that ties keep those members,
///   stickiness and `max_changes` count against it;
/// - `"drains": [{"node": NODE, "alias": ALIAS, "by": WHO, "reason": TEXT}]` (`alias` and `by`
///   optional): operator drains in force;
/// - `"rounds": [{"nodes": {...}, "drains": [...]}, ...]` instead of `nodes`: several polls in a
///   row, each decided from what the previous one left (`rise`/`fall` streaks, what DNS holds);
///   a round's drains apply to that round only, on top of the file's.
public struct NodeReportsFile: Sendable {
    /// One poll of every node, and the drains given for it alone.
    public struct Round: Sendable {
        /// Reports by node name, lower-cased and without a trailing dot.
        public var reports: [String: NodeReport]
        public var drains: [Drain]
    }

    /// The polls in order: one for a file with `nodes`, as many as `rounds` gives otherwise.
    public private(set) var rounds: [Round]
    /// What DNS holds for each alias before the first round, by alias name lower-cased and
    /// without a trailing dot; an alias absent holds nothing known.
    public private(set) var published: [String: Set<NodeAddress>]
    /// The drains in force in every round.
    public private(set) var drains: [Drain]

    /// The reports of the first round.
    public var reports: [String: NodeReport] { rounds.first?.reports ?? [:] }

    /// The largest reports file read; a real one holds a few thousand nodes.
    public static let maximumFileSize = 64 << 20

    /// The report for a configured member in the first round: what the file says, or an
    /// unresolved node.
    public func report(for node: String) -> NodeReport {
        report(for: node, round: 0)
    }

    /// The report for a configured member in round `round` (from 0).
    public func report(for node: String, round: Int) -> NodeReport {
        let key = AliasConfiguration.normalisedName(node)
        let reports = rounds.indices.contains(round) ? rounds[round].reports : [:]
        return reports[key].map {
            NodeReport(node: node, addresses: $0.addresses, resolutionFailure: $0.resolutionFailure)
        }
            ?? NodeReport(node: node, addresses: [], resolutionFailure: "not in the reports file")
    }

    public static func load(path: String) throws(ConfigurationError) -> NodeReportsFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw failure(path, "cannot be read: \(error.localizedDescription)")
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws(ConfigurationError) -> NodeReportsFile {
        guard data.count <= maximumFileSize else { throw failure(file, "is larger than 64 MiB") }
        let raw: RawFile
        do {
            raw = try JSONDecoder().decode(RawFile.self, from: data)
        } catch let error as DecodingError {
            throw failure(file, describe(error))
        } catch {
            throw failure(file, "is not valid JSON: \(error.localizedDescription)")
        }
        var problems: [String] = []
        var rounds: [Round] = []
        switch (raw.nodes, raw.rounds) {
        case (let nodes?, nil):
            rounds = [Round(reports: parseNodes(nodes, in: "", problems: &problems), drains: [])]
        case (nil, let raws?):
            if raws.isEmpty { problems.append("rounds is empty: give at least one {\"nodes\": {...}}") }
            for (index, round) in raws.enumerated() {
                let place = "round \(index + 1): "
                rounds.append(
                    Round(
                        reports: parseNodes(round.nodes, in: place, problems: &problems),
                        drains: parseDrains(round.drains ?? [], in: place, problems: &problems)))
            }
        case (.some, .some):
            problems.append(
                "give either \"nodes\" (one poll) or \"rounds\" (several polls in a row), not both")
        case (nil, nil):
            problems.append(
                "expected an object with a \"nodes\" key: {\"nodes\": {NODE: {ADDRESS: REPLY}}}, or \"rounds\": [{\"nodes\": ...}]"
            )
        }
        var published: [String: Set<NodeAddress>] = [:]
        for (alias, texts) in raw.published ?? [:] {
            var addresses: Set<NodeAddress> = []
            for text in texts {
                guard let address = NodeAddress(text) else {
                    problems.append("published \(alias): '\(text.prefix(60))' is not an IPv4 or IPv6 address")
                    continue
                }
                addresses.insert(address)
            }
            published[AliasConfiguration.normalisedName(alias)] = addresses
        }
        let drains = parseDrains(raw.drains ?? [], in: "", problems: &problems)
        guard problems.isEmpty else {
            throw ConfigurationError(
                issues: problems.sorted().map {
                    ConfigurationIssue(severity: .error, file: file, line: nil, message: $0)
                })
        }
        return NodeReportsFile(rounds: rounds, published: published, drains: drains)
    }

    private static func parseNodes(
        _ nodes: [String: [String: RawReply]?], in place: String, problems: inout [String]
    ) -> [String: NodeReport] {
        var reports: [String: NodeReport] = [:]
        for (node, addresses) in nodes {
            let key = AliasConfiguration.normalisedName(node)
            guard let addresses else {
                reports[key] = NodeReport(node: node, addresses: [], resolutionFailure: "did not resolve")
                continue
            }
            var parsed: [AddressReport] = []
            for (text, reply) in addresses {
                guard let address = NodeAddress(text) else {
                    problems.append(
                        "\(place)node \(node): '\(text.prefix(60))' is not an IPv4 or IPv6 address")
                    continue
                }
                switch reply {
                case .valid(let reply): parsed.append(AddressReport(address: address, reply: reply))
                case .invalid:
                    problems.append(
                        "\(place)node \(node), address \(text): a reply is an integer, a string, null or {\"error\": \"...\"}"
                    )
                }
            }
            if reports[key] != nil { problems.append("\(place)node \(node) is given twice") }
            reports[key] = NodeReport(
                node: node, addresses: parsed.sorted { $0.address < $1.address },
                resolutionFailure: parsed.isEmpty ? "resolved to no address" : nil)
        }
        return reports
    }

    private static func parseDrains(_ raws: [RawDrain], in place: String, problems: inout [String]) -> [Drain]
    {
        raws.enumerated().compactMap { index, raw in
            guard let node = raw.node, !node.isEmpty, let reason = raw.reason, !reason.isEmpty else {
                problems.append(
                    "\(place)drain \(index + 1) needs a \"node\" and a \"reason\": {\"node\": NODE, \"alias\": ALIAS, \"by\": WHO, \"reason\": TEXT}"
                )
                return nil
            }
            return Drain(node: node, alias: raw.alias, by: raw.by ?? "operator", reason: reason, since: 0)
        }
    }

    private static func failure(_ file: String, _ message: String) -> ConfigurationError {
        ConfigurationError(issues: [
            ConfigurationIssue(severity: .error, file: file, line: nil, message: message)
        ])
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _):
            return
                "expected an object with a \"\(key.stringValue)\" key: {\"nodes\": {NODE: {ADDRESS: REPLY}}}"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "unexpected value at \(path.isEmpty ? "the top level" : path): "
                + "expected {\"nodes\": {NODE: {ADDRESS: REPLY}}}"
        case .dataCorrupted(let context):
            let detail =
                (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
            return "is not valid JSON: \(detail)"
        @unknown default:
            return "is not a reports file: \(error)"
        }
    }

    private struct RawFile: Decodable {
        var nodes: [String: [String: RawReply]?]?
        var rounds: [RawRound]?
        var published: [String: [String]]?
        var drains: [RawDrain]?
    }

    private struct RawRound: Decodable {
        var nodes: [String: [String: RawReply]?]
        var drains: [RawDrain]?
    }

    private struct RawDrain: Decodable {
        var node: String?
        var alias: String?
        var by: String?
        var reason: String?
    }

    private enum RawReply: Decodable {
        case valid(AddressReply)
        case invalid

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .valid(.failure(.timeout(attempts: 1)))
            } else if let load = try? container.decode(Int.self) {
                self = .valid(.integer(load))
            } else if let text = try? container.decode(String.self) {
                self = .valid(.text(text))
            } else if let object = try? container.decode([String: String].self), object.count == 1,
                let message = object["error"]
            {
                self = .valid(.failure(.reported(message)))
            } else {
                self = .invalid
            }
        }
    }
}
