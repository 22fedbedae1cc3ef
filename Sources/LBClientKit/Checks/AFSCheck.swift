import Logging
import Synchronization

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
        let outcome = OneShotOutcome<Int32?>()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            outcome.resume(
                .failure(CheckError("stat \(path) did not return within \(timeout.secondsDescription)")))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.install(continuation)
                BlockingThread.start { outcome.resume(.success(SystemFile.statError(path))) }
            }
        } onCancel: {
            outcome.resume(.failure(CancellationError()))
        }
    }
}

/// A continuation resumed by whichever of several racing events comes first (the result, a
/// timeout, a cancellation); later events are ignored. An event may come before the
/// continuation is installed; it is then kept and delivered at installation.
private final class OneShotOutcome<Value: Sendable>: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<Value, any Error>)
        case early(Result<Value, any Error>)
        case delivered
    }

    private let state = Mutex<State>(.waiting)

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        let early: Result<Value, any Error>? = state.withLock { state in
            if case .early(let result) = state {
                state = .delivered
                return result
            }
            state = .installed(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<Value, any Error>) {
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .early(result)
                return nil
            case .installed(let continuation):
                state = .delivered
                return continuation
            case .early, .delivered:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
