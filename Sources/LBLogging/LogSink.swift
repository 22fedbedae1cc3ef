import Foundation
import Logging
import Synchronization

/// Writes whole lines with one write(2) (or one syslog call) each, so concurrent checks never
/// interleave.
public final class LogSink: Sendable {
    public enum Target: Sendable {
        case descriptor(Int32)
        case syslog
    }

    private let target: Target
    private let lock = Mutex(())

    public init(_ target: Target) { self.target = target }

    public func write(_ line: String, level: Logger.Level) {
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
