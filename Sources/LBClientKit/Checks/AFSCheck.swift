import Logging
import OSThreads

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `check afs`: fails when the AFS client is not running, i.e. `/afs/cern.ch/user/` does not
/// exist.
///
/// Only "no such file or directory" fails, as in golbclient: other errors (a permission
/// problem, a token issue) still mean the AFS client answers. A hung AFS is the realistic
/// failure, so the `stat` runs on a thread of its own and the check gives up after the line's
/// timeout: a stuck system call must not hold one of the few threads every check shares.
public struct AFSCheck: Check {
    static let directory = "/afs/cern.ch/user/"

    /// Anything after the keyword is ignored.
    public init(line: ConfigLine) throws {}

    public func run(in context: CheckContext) async throws -> CheckResult {
        let path = context.system.path(Self.directory)
        let failure = try await Self.statOffThread(path, timeout: context.timeout)
        switch failure {
        case nil:
            return .pass("\(Self.directory) is reachable")
        case ENOENT?:
            return .fail("\(Self.directory) does not exist: AFS is not mounted")
        case let code?:
            context.logger.debug("stat \(path): \(systemErrorDescription(code)); AFS counts as present")
            return .pass("\(Self.directory) exists (\(systemErrorDescription(code)))")
        }
    }

    /// The errno of `stat(path)`, or nil on success, without blocking the calling task's thread.
    ///
    /// - Throws: ``CheckError`` when `stat` has not returned after `timeout`, and
    ///   `CancellationError` when the task is cancelled. The thread stays blocked in the kernel
    ///   either way; nothing can interrupt it.
    static func statOffThread(_ path: String, timeout: Duration) async throws -> Int32? {
        let outcome = FirstResult<Int32?>()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            outcome.deliver(
                throwing: CheckError("stat \(path) did not return within \(timeout.secondsDescription)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.install(continuation)
                BlockingThread.start { outcome.deliver(returning: SystemFile.statError(path)) }
            }
        } onCancel: {
            outcome.deliver(throwing: CancellationError())
        }
    }
}
