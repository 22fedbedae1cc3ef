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
public struct NodeReportsFile: Sendable {
    /// Reports by node name, lower-cased and without a trailing dot.
    public private(set) var reports: [String: NodeReport]

    /// The largest reports file read; a real one holds a few thousand nodes.
    public static let maximumFileSize = 64 << 20

    /// The report for a configured member: what the file says, or an unresolved node.
    public func report(for node: String) -> NodeReport {
        let key = AliasConfiguration.normalisedName(node)
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
        var reports: [String: NodeReport] = [:]
        var problems: [String] = []
        for (node, addresses) in raw.nodes {
            let key = AliasConfiguration.normalisedName(node)
            guard let addresses else {
                reports[key] = NodeReport(node: node, addresses: [], resolutionFailure: "did not resolve")
                continue
            }
            var parsed: [AddressReport] = []
            for (text, reply) in addresses {
                guard let address = NodeAddress(text) else {
                    problems.append("node \(node): '\(text.prefix(60))' is not an IPv4 or IPv6 address")
                    continue
                }
                switch reply {
                case .valid(let reply): parsed.append(AddressReport(address: address, reply: reply))
                case .invalid:
                    problems.append(
                        "node \(node), address \(text): a reply is an integer, a string, null or {\"error\": \"...\"}"
                    )
                }
            }
            if reports[key] != nil { problems.append("node \(node) is given twice") }
            reports[key] = NodeReport(
                node: node, addresses: parsed.sorted { $0.address < $1.address },
                resolutionFailure: parsed.isEmpty ? "resolved to no address" : nil)
        }
        guard problems.isEmpty else {
            throw ConfigurationError(
                issues: problems.sorted().map {
                    ConfigurationIssue(severity: .error, file: file, line: nil, message: $0)
                })
        }
        return NodeReportsFile(reports: reports)
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
        var nodes: [String: [String: RawReply]?]
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
