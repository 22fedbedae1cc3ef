import OSThreads
import ProcessSpawning
import Synchronization

/// Runs programs through ``ProcessSpawning/CapturedRun``, each in a process group of its own, so
/// that a timeout or a cancellation kills the program together with everything it started (a
/// `bash -c` and its `sleep`, for instance).
///
/// The waiting happens on a dedicated thread per program, never on the cooperative pool, so a
/// slow program cannot starve other checks.
public struct ProcessRunner: CommandRunning {
    /// Bytes kept of each output stream; the rest is read and discarded so the program never
    /// blocks on a full pipe.
    public static let outputLimit = 1 << 20

    public init() {}

    public func run(_ executable: String, arguments: [String], timeout: Duration) async throws
        -> CommandResult
    {
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            // Resumed exactly once, by the thread. An unchecked continuation: a checked one costs
            // the runtime a search of every conformance (for `any Error: Error`) at start-up.
            try await withUnsafeThrowingContinuation { continuation in
                BlockingThread.start {
                    continuation.resume(
                        with: Self.runBlocking(
                            executable, arguments: arguments, timeout: timeout, cancellation: cancellation))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    private static func runBlocking(
        _ executable: String, arguments: [String], timeout: Duration, cancellation: CancellationFlag
    ) -> Result<CommandResult, CommandError> {
        let outcome: CapturedRun.Outcome
        do {
            outcome = try CapturedRun.run(
                executable, arguments: arguments, timeout: timeout, outputLimit: outputLimit,
                isCancelled: { cancellation.isCancelled })
        } catch {
            return .failure(.launchFailed(executable: executable, errno: error.errno))
        }
        switch outcome {
        case .finished(let termination, let output, let error):
            return .success(
                CommandResult(
                    termination: CommandResult.Termination(termination),
                    standardOutput: String(decoding: output, as: UTF8.self),
                    standardError: String(decoding: error, as: UTF8.self)))
        case .timedOut: return .failure(.timedOut(executable: executable, after: timeout))
        case .cancelled: return .failure(.cancelled(executable: executable))
        }
    }
}

extension CommandResult.Termination {
    init(_ termination: ProcessTermination) {
        switch termination {
        case .exited(let status): self = .exited(status)
        case .signalled(let signal): self = .signalled(signal)
        // Reaped by someone else: as before the spawning layer was shared, counted a success,
        // since nothing says the program failed.
        case .unknown: self = .exited(0)
        }
    }
}
