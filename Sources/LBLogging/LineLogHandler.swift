import Foundation
import Logging

/// One log line per event: `2026-11-26T18:00:00.123Z warning message key=value`, or a JSON
/// object with `time`, `level`, `message` and the metadata as string fields.
public struct LineLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public let sink: LogSink
    public var logLevel: Logger.Level = .warning
    public var metadata: Logger.Metadata = [:]
    /// Whether text lines end with the metadata as `key=value` fields; off when the messages
    /// already say everything a person needs (the JSON lines always carry the fields).
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
        let level = event.level
        let message = event.message
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        switch format {
        case .text:
            let fields =
                !textIncludesMetadata
                ? ""
                : merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: " ")
            sink.write("\(time) \(level) \(message)\(fields.isEmpty ? "" : " " + fields)", level: level)
        case .json:
            var object: [String: String] = ["time": time, "level": "\(level)", "message": "\(message)"]
            for (key, value) in merged where object[key] == nil { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            sink.write(String(decoding: data, as: UTF8.self), level: level)
        }
    }
}
