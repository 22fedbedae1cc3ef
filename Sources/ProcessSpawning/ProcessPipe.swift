#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pipe whose two ends are close-on-exec, for a child's standard stream: give one end to
/// ``ChildProcess`` as a ``StandardStream/descriptor(_:)``, close it after the spawn, and keep the
/// other.
public struct ProcessPipe: Sendable {
    public let readEnd: Int32
    public let writeEnd: Int32

    /// Creates the pipe; `executable` names the program it is for, in the error.
    public init(for executable: String) throws(SpawnError) {
        var ends: [Int32] = [-1, -1]
        let result: Int32 = spawnLock.withLock { _ in
            guard pipe(&ends) == 0 else { return errno }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            return 0
        }
        guard result == 0 else { throw SpawnError(executable: executable, errno: result) }
        readEnd = ends[0]
        writeEnd = ends[1]
    }
}
