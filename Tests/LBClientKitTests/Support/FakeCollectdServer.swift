import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A stand-in for collectd's unixsock plugin: answers `GETVAL "<identifier>"` from a table
/// (unknown identifiers get `-1 No such value`) and records what it was asked.
final class FakeCollectdServer: @unchecked Sendable {
    let path: String
    /// Identifier → the whole answer, status line included. An empty answer means "never answer".
    private let answers: [String: String]
    private let listener: Int32
    private let lock = NSLock()
    private var requestLog: [String] = []
    private var connectionCount = 0
    private var stopped = false

    init(path: String, answers: [String: String]) throws {
        self.path = path
        self.answers = answers
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(listener, 8) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        Thread.detachNewThread { [self] in serve() }
    }

    var requests: [String] { lock.withLock { requestLog } }
    var connections: Int { lock.withLock { connectionCount } }

    func stop() { lock.withLock { stopped = true } }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func serve() {
        while !isStopped {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            lock.withLock { connectionCount += 1 }
            handle(client)
            close(client)
        }
        close(listener)
    }

    private func handle(_ client: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while !isStopped {
            var entry = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 50) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            buffer += chunk[..<count]
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                lock.withLock { requestLog.append(line) }
                var identifier = Substring(line)
                if identifier.hasPrefix("GETVAL ") { identifier = identifier.dropFirst("GETVAL ".count) }
                if identifier.hasPrefix("\"") && identifier.hasSuffix("\"") && identifier.count >= 2 {
                    identifier = identifier.dropFirst().dropLast()
                }
                let answer = answers[String(identifier)] ?? "-1 No such value\n"
                let bytes = Array(answer.utf8)
                var sent = 0
                while sent < bytes.count {
                    let written = bytes[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                    guard written > 0 else { return }
                    sent += written
                }
            }
        }
    }
}
