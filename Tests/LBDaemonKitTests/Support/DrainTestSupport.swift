import Foundation
import Logging
import Synchronization

@testable import LBDaemonKit

/// A wall clock in Unix seconds that the test moves.
final class TestUnixClock: Sendable {
    private let seconds: Mutex<Int>

    init(_ start: Int = 1_800_000_000) {
        seconds = Mutex(start)
    }

    var now: Int { seconds.withLock { $0 } }

    func advance(_ by: Int) {
        seconds.withLock { $0 += by }
    }

    var read: @Sendable () -> Int { { self.now } }
}

/// A logger whose lines keep their metadata: "LEVEL message key=value...".
final class MetadataLog: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    var all: [Line] { lines.withLock { $0 } }

    /// The lines whose `action` is `action`.
    func actions(_ action: String) -> [Line] {
        all.filter { $0.metadata["action"] == action }
    }

    private struct Handler: LogHandler {
        let log: MetadataLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            log.lines.withLock {
                $0.append(
                    Line(
                        level: event.level, message: "\(event.message)",
                        metadata: merged.mapValues { "\($0)" }))
            }
        }
    }
}

/// The audit lines of `book`'s `drains.log`.
func auditLines(_ book: DrainBook) throws -> [DrainAuditLine] {
    guard FileManager.default.fileExists(atPath: book.auditPath) else { return [] }
    return try String(contentsOfFile: book.auditPath, encoding: .utf8).split(separator: "\n").map {
        try JSONDecoder().decode(DrainAuditLine.self, from: Data($0.utf8))
    }
}
