import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on `drains.lock` in the state directory, held around every
/// read-modify-write of the drains file, so that two `lbd drain` at once, or one while lbd
/// prunes an expired drain, lose nothing.
///
/// The lock is taken on a file of its own, never on `drains.json`: that one is replaced by a
/// rename at each write, and a lock on the replaced file would guard nothing.
enum DrainLock {
    static let name = "drains.lock"

    /// Runs `body` holding the lock on `path`; waits at most `timeout` for it.
    static func holding<T>(
        _ path: String, timeout: Duration = .seconds(10), _ body: () throws(DrainBookError) -> T
    ) throws(DrainBookError) -> T {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: DrainFile.reason(errno)) }
        // Closing the descriptor releases the lock, also when `body` throws.
        defer { close(descriptor) }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                throw .unwritable(path: path, reason: DrainFile.reason(code))
            }
            guard ContinuousClock.now < deadline else {
                throw .locked(path: path, seconds: Int(timeout.components.seconds))
            }
            usleep(5_000)
        }
        return try body()
    }
}
