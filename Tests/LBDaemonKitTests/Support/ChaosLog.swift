import Foundation

/// lbd's `--log-format json` output read back: one object per line.
///
/// Field values are read as text whatever their JSON type, so the reader keeps working when
/// numbers become JSON numbers and lists become arrays.
struct ChaosLog {
    /// One alias decision: the line with `alias` and `chosen`.
    struct Decision: Hashable {
        var alias: String
        var action: String
        /// The addresses published, sorted; empty for "no address" and "(kept)".
        var chosen: [String]
        /// The `chosen` field as written.
        var chosenText: String
        var line: String
    }

    let lines: [String]
    let objects: [[String: String]]

    init(_ text: Substring) {
        lines = text.split(separator: "\n").map(String.init)
        objects = lines.map(Self.fields)
    }

    /// The fields of one line, values as text; empty when the line is not a JSON object.
    static func fields(_ line: String) -> [String: String] {
        guard let data = line.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object.mapValues(text)
    }

    private static func text(_ value: Any) -> String {
        switch value {
        case let string as String: return string
        case let list as [Any]: return list.map(text).joined(separator: " ")
        case let object as [String: Any]:
            return object.sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }.joined(
                separator: " ")
        case let number as NSNumber: return number.stringValue
        default: return "\(value)"
        }
    }

    var decisions: [Decision] {
        zip(lines, objects).compactMap { line, object in
            guard let alias = object["alias"], let chosen = object["chosen"] else { return nil }
            let addresses = chosen.split(separator: " ").map(String.init).filter {
                $0.first?.isNumber == true && $0.contains(".")
            }
            return Decision(
                alias: alias, action: object["action"] ?? "", chosen: addresses.sorted(), chosenText: chosen,
                line: line)
        }
    }

    /// The lines that mention `address` as a whole field value or word (not 127.0.0.10 for
    /// 127.0.0.1).
    func lines(mentioning address: String) -> [String] {
        zip(lines, objects).compactMap { line, object in
            let mentions = object.values.contains { value in
                value.split(whereSeparator: { " ,;()[]=:'\"".contains($0) }).contains { $0 == address }
            }
            return mentions ? line : nil
        }
    }

    /// How many lines have `message` containing `text`.
    func count(messageContaining text: String) -> Int {
        objects.filter { $0["message"]?.contains(text) == true }.count
    }
}
