import Foundation
import Logging

/// One log line per event: `2026-11-26T18:00:00.123Z warning message key=value`, or a JSON
/// object with `time`, `level`, `message` and the metadata fields.
///
/// Metadata values keep their kind in JSON: a value logged as `.stringConvertible` of an integer,
/// a floating-point number or a Bool is a JSON number or boolean (`"load": 12`), a `.string` is a
/// string, and arrays and dictionaries nest. In text, a value holding spaces, quotes, `=` or
/// control characters is quoted, so `key=value` fields always split back apart.
public struct LineLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public let sink: LogSink
    public var logLevel: Logger.Level = .warning
    public var metadata: Logger.Metadata = [:]
    /// Whether text lines end with the metadata as `key=value` fields (the JSON lines always
    /// carry the fields).
    public var textIncludesMetadata = true

    public init(label: String, format: LogFormat, sink: LogSink) {
        self.label = label
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        sink.write(
            Self.line(
                time: time, event.level, "\(event.message)", merged, format: format,
                textIncludesMetadata: textIncludesMetadata), level: event.level)
    }

    /// The line for one event; separate from `log` so that tests need no sink or clock.
    static func line(
        time: String, _ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata,
        format: LogFormat,
        textIncludesMetadata: Bool = true
    ) -> String {
        switch format {
        case .text:
            guard textIncludesMetadata, !metadata.isEmpty else { return "\(time) \(level) \(message)" }
            let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(textValue($0.value))" }
            return "\(time) \(level) \(message) " + fields.joined(separator: " ")
        case .json:
            var object: [String: Any] = ["time": time, "level": "\(level)", "message": message]
            for (key, value) in metadata where object[key] == nil { object[key] = jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// A text field value: bare when it is one plain word, else quoted with `"` and `\` escaped
    /// and control characters written as `\n`, `\t` or `\u{..}`.
    static func textValue(_ value: Logger.MetadataValue) -> String {
        let text: String
        switch value {
        case .string(let string): text = string
        case .stringConvertible(let convertible): text = convertible.description
        case .array(let values): text = "[" + values.map(textValue).joined(separator: ",") + "]"
        case .dictionary(let values):
            text =
                "{"
                + values.sorted { $0.key < $1.key }.map { "\($0.key)=\(textValue($0.value))" }
                .joined(separator: ",") + "}"
        }
        let plain =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value != 0x7F && scalar != "\"" && scalar != "="
                    && scalar != "\\"
                    && !scalar.properties.isWhitespace
            }
        if plain { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    quoted += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }

    /// A JSON value for `JSONSerialization`: numbers and booleans logged as `.stringConvertible`
    /// stay numbers and booleans; a non-finite number, which JSON cannot hold, becomes a string.
    static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string):
            return string
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool: return flag
            case let integer as any BinaryInteger:
                return Int(exactly: integer) ?? convertible.description
            case let number as Double where number.isFinite: return number
            case let number as Float where number.isFinite: return Double(number)
            default: return convertible.description
            }
        case .array(let values):
            return values.map(jsonValue)
        case .dictionary(let values):
            return values.mapValues(jsonValue)
        }
    }
}
