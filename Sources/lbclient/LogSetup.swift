import Foundation
import Logging
import Synchronization

/// Chooses where lbclient's logs go. Never stdout: stdout is the answer snmpd reads.
enum LogSetup {
    enum Format {
        case text
        case json

        init?(mode: String) {
            switch mode.lowercased() {
            case "nested", "text": self = .text
            case "fluentd", "fluentd_pretty", "json": self = .json
            default: return nil
            }
        }
    }

    /// swift-log's level for a logrus or swift-log level name (golbclient took logrus names).
    static func level(named name: String) -> Logger.Level? {
        switch name.lowercased() {
        case "trace": .trace
        case "debug": .debug
        case "info": .info
        case "notice": .notice
        case "warn", "warning": .warning
        case "error": .error
        case "fatal", "panic", "critical": .critical
        default: nil
        }
    }

    /// Where log lines go.
    enum Destination {
        /// The system log (`daemon` facility, tag `lbclient`): the default, since snmpd's `pass`
        /// reads a program's stderr together with its stdout.
        case syslog
        case standardError
        case file(String)
    }

    static func bootstrap(level: Logger.Level, format: Format, destination: Destination) throws {
        let sink: LogSink
        switch destination {
        case .file(let file):
            let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw LogFileError(path: file, reason: String(cString: strerror(errno)))
            }
            sink = LogSink(.descriptor(descriptor))
        case .standardError:
            sink = LogSink(.descriptor(2))
        case .syslog:
            openlog("lbclient", LOG_PID, LOG_DAEMON)
            sink = LogSink(.syslog)
        }
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format, sink: sink)
            handler.logLevel = level
            return handler
        }
    }
}

struct LogFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot open the log file \(path): \(reason)" }
}

/// Writes whole lines with one write(2) (or one syslog call) each, so concurrent checks never
/// interleave.
final class LogSink: Sendable {
    enum Target {
        case descriptor(Int32)
        case syslog
    }

    private let target: Target
    private let lock = Mutex(())

    init(_ target: Target) { self.target = target }

    func write(_ line: String, level: Logger.Level) {
        guard case .descriptor(let descriptor) = target else {
            let priority: Int32
            switch level {
            case .trace, .debug: priority = LOG_DEBUG
            case .info: priority = LOG_INFO
            case .notice: priority = LOG_NOTICE
            case .warning: priority = LOG_WARNING
            case .error: priority = LOG_ERR
            case .critical: priority = LOG_CRIT
            }
            withVaList([line]) { vsyslog(priority, "%s", $0) }
            return
        }
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes {
                    Foundation.write(descriptor, $0.baseAddress, $0.count)
                }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// One log line per event: `2026-11-26T18:00:00.123Z warning message key=value`, or a JSON
/// object with `time`, `level`, `message` and the metadata as string fields.
struct LineLogHandler: LogHandler {
    let label: String
    let format: LogSetup.Format
    let sink: LogSink
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
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
