import OSThreads

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Asks collectd's `unixsock` plugin for values directly, without a `collectdctl` process per
/// identifier: one connection, one `GETVAL` per identifier.
///
/// The protocol: the client sends `GETVAL "host/plugin-instance/type-instance"`; collectd answers
/// `N Values found` followed by N lines `name=value`, or a negative status and a message
/// (`-1 No such value`).
struct CollectdSocketClient: Sendable {
    /// Bytes accepted from collectd for one line's queries.
    static let responseLimit = 1 << 20
    static let lineLimit = 64 * 1024
    /// More values than any collectd type has; a larger count is a broken answer.
    static let valueCountLimit = 4096

    let path: String

    /// True when `path` exists and is a socket (following symbolic links).
    static func isSocket(at path: String) -> Bool {
        var information = stat()
        guard stat(path, &information) == 0 else { return false }
        return (information.st_mode & S_IFMT) == S_IFSOCK
    }

    /// The values of each identifier, in collectd's order. All queries share one `timeout`.
    func values(of identifiers: [String], timeout: Duration) async throws -> [String: [CollectdValue]] {
        let path = self.path
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let cancellation = CancellationFlag()
        let hostName = Self.localHostName()
        return try await withTaskCancellationHandler {
            try await BlockingThread.run {
                let connection = try UnixSocketConnection(
                    path: path, deadline: deadline, cancellation: cancellation, byteLimit: Self.responseLimit,
                    lineLimit: Self.lineLimit)
                defer { connection.close() }
                var result: [String: [CollectdValue]] = [:]
                for identifier in identifiers {
                    let full = Self.fullIdentifier(identifier, hostName: hostName)
                    try connection.write("GETVAL \"\(full)\"\n")
                    result[identifier] = try Self.readAnswer(from: connection, for: full, path: path)
                }
                return result
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    private static func readAnswer(
        from connection: UnixSocketConnection, for identifier: String, path: String
    )
        throws(CheckError) -> [CollectdValue]
    {
        let status = try connection.readLine()
        let statusField = status.split(separator: " ", maxSplits: 1).first ?? ""
        guard let count = Int(statusField) else {
            throw CheckError(
                "\(path) answered '\(LemonOutput.excerpt(Substring(status)))' to GETVAL \(identifier)")
        }
        guard count >= 0 else {
            let message = status.drop(while: { $0 != " " }).dropFirst()
            throw CheckError("collectd has no value \(identifier): \(message)")
        }
        guard count <= valueCountLimit else {
            throw CheckError("\(path) announced \(count) values for \(identifier)")
        }
        var values: [CollectdValue] = []
        for _ in 0..<count {
            let line = try connection.readLine()
            values.append(try CollectdValue(line: Substring(line), from: path))
        }
        return values
    }

    /// collectd's unixsock wants `host/plugin/type`; an identifier without the host gets the
    /// local host name, as `collectdctl` does.
    static func fullIdentifier(_ identifier: String, hostName: String) -> String {
        identifier.filter { $0 == "/" }.count == 1 ? "\(hostName)/\(identifier)" : identifier
    }

    static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
