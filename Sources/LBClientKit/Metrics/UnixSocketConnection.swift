import OSThreads

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking, line-oriented client of a unix stream socket where every operation shares one
/// deadline and stops early on cancellation, and the bytes read are capped.
///
/// It blocks its thread: run it off the cooperative pool (``CollectdSocketClient`` uses a
/// ``BlockingThread``).
final class UnixSocketConnection {
    private var descriptor: Int32 = -1
    private let path: String
    private let deadline: ContinuousClock.Instant
    private let cancellation: CancellationFlag
    private let byteLimit: Int
    private let lineLimit: Int
    private var buffer: [UInt8] = []
    private var bytesRead = 0

    /// Connects to the socket at `path`.
    init(
        path: String, deadline: ContinuousClock.Instant, cancellation: CancellationFlag, byteLimit: Int,
        lineLimit: Int
    ) throws(CheckError) {
        self.path = path
        self.deadline = deadline
        self.cancellation = cancellation
        self.byteLimit = byteLimit
        self.lineLimit = lineLimit

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity, !pathBytes.contains(0) else {
            throw CheckError("\(path) cannot be used as a unix socket path (at most \(capacity - 1) bytes)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }

        #if canImport(Glibc)
            let type =
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        #else
            let type = SOCK_STREAM
        #endif
        descriptor = socket(AF_UNIX, type, 0)
        guard descriptor >= 0 else { throw failure("cannot create a socket", errno) }
        #if !canImport(Glibc)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            var noSignal: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
        #endif

        while true {
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if result == 0 { return }
            let code = errno
            // A unix socket refuses with EAGAIN while its listen queue is full: retry until the
            // deadline rather than wait for an event that never comes.
            guard code == EAGAIN || code == EINTR else { throw failure("cannot connect", code) }
            try checkTime()
            usleep(10_000)
        }
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 {
            #if canImport(Glibc)
                _ = Glibc.close(descriptor)
            #else
                _ = Darwin.close(descriptor)
            #endif
            descriptor = -1
        }
    }

    /// Sends all of `text`.
    func write(_ text: String) throws(CheckError) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
            #else
                let flags: Int32 = 0
            #endif
            let count = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(descriptor, base + sent, raw.count - sent, flags)
            }
            if count > 0 {
                sent += count
                continue
            }
            let code = errno
            guard count < 0, code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                throw failure("cannot send", code)
            }
            try wait(for: Int16(POLLOUT))
        }
    }

    /// The next line, without its line end.
    func readLine() throws(CheckError) -> String {
        var scanned = 0
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            scanned = buffer.count
            guard buffer.count <= lineLimit else {
                throw CheckError("\(path) sent a line longer than \(lineLimit) bytes")
            }
            try receive()
        }
    }

    private func receive() throws(CheckError) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                bytesRead += count
                guard bytesRead <= byteLimit else {
                    throw CheckError("\(path) sent more than \(byteLimit) bytes")
                }
                buffer += chunk[..<count]
                return
            }
            if count == 0 { throw CheckError("\(path) closed the connection before answering") }
            let code = errno
            guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                throw failure("cannot read", code)
            }
            try wait(for: Int16(POLLIN))
        }
    }

    /// Waits until the socket is ready for `events`, waking regularly to notice the deadline and
    /// cancellation.
    private func wait(for events: Int16) throws(CheckError) {
        while true {
            try checkTime()
            let milliseconds = pollSliceMilliseconds(until: deadline)
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw failure("cannot wait for the socket", errno) }
        }
    }

    private func checkTime() throws(CheckError) {
        if cancellation.isCancelled { throw CheckError("the query to \(path) was cancelled") }
        if ContinuousClock.now >= deadline {
            throw CheckError("\(path) did not answer in time")
        }
    }

    private func failure(_ what: String, _ code: Int32) -> CheckError {
        CheckError("\(path): \(what): \(systemErrorDescription(code))")
    }
}
