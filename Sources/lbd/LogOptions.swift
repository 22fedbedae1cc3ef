import ArgumentParser
import LBLogging
import Logging

/// `--log-format` and `--log-level`: lines on stderr, which systemd's journal keeps.
struct LogOptions: ParsableArguments {
    @Option(help: "text (for people) or json (one object per line, stable fields).")
    var logFormat: LogFormat = .text

    @Option(help: "trace, debug, info, notice, warning or error (default: info; notice for the demo).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError("unknown --log-level '\(logLevel)'")
        }
    }

    /// Sends every logger's lines to stderr in the chosen format, and returns lbd's logger.
    func bootstrap(defaultLevel: Logger.Level = .info) -> Logger {
        let sink = LogSink(.descriptor(2))
        let format = logFormat
        let level = logLevel.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format, sink: sink)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "lbd")
    }
}

extension LogFormat: ExpressibleByArgument {}
