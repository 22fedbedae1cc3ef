import Foundation
import LBLogging
import Logging
import Synchronization

/// Chooses where lbclient's logs go. Never stdout: stdout is the answer snmpd reads.
enum LogSetup {
    /// The format for golbclient's `--log-mode` names too.
    static func format(mode: String) -> LogFormat? {
        switch mode.lowercased() {
        case "nested", "text": .text
        case "fluentd", "fluentd_pretty", "json": .json
        default: nil
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

    static func bootstrap(level: Logger.Level, format: LogFormat, destination: Destination) throws {
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
