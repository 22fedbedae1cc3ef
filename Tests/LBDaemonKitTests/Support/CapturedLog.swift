import Logging
import Synchronization

/// A logger whose lines the test reads back: "LEVEL message".
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    var all: [String] { lines.withLock { $0 } }

    func contains(_ level: Logger.Level, _ text: String) -> Bool {
        all.contains { $0.hasPrefix("\(level) ") && $0.contains(text) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.lines.withLock { $0.append("\(event.level) \(event.message)") }
        }
    }
}
