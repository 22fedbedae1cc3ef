#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program to completion with its output captured, within a deadline: the way checks and
/// benchmarks run short commands.
///
/// Everything here blocks, so callers run it on a thread of their own (never the cooperative
/// pool). Standard input is `/dev/null`.
public enum CapturedRun {
    /// What a run produced.
    public enum Outcome: Sendable, Hashable {
        /// The program ended; at most `outputLimit` bytes of each stream were kept.
        case finished(ProcessTermination, standardOutput: [UInt8], standardError: [UInt8])
        /// The deadline passed: the program and its process group were killed.
        case timedOut
        /// `isCancelled` turned true: the program and its process group were killed.
        case cancelled
    }

    /// Runs `executable` until it ends and both its output pipes are closed, or until `timeout`
    /// passes or `isCancelled` returns true, whichever comes first.
    ///
    /// - Parameters:
    ///   - outputLimit: bytes kept of each stream; the rest is read and discarded, so the program
    ///     never blocks on a full pipe.
    ///   - isCancelled: polled every 50 ms at most.
    /// - Throws: ``SpawnError`` when the program cannot start.
    public static func run(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        timeout: Duration, outputLimit: Int = 1 << 20,
        isCancelled: () -> Bool = { false }
    ) throws(SpawnError) -> Outcome {
        let output = try ProcessPipe(for: executable)
        let errors: ProcessPipe
        do {
            errors = try ProcessPipe(for: executable)
        } catch {
            close(output.readEnd)
            close(output.writeEnd)
            throw error
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable, arguments: arguments, environment: environment,
                standardOutput: .descriptor(output.writeEnd), standardError: .descriptor(errors.writeEnd))
        } catch {
            for end in [output.readEnd, output.writeEnd, errors.readEnd, errors.writeEnd] { close(end) }
            throw error
        }
        close(output.writeEnd)
        close(errors.writeEnd)

        let deadline = ContinuousClock.now.advanced(by: timeout)
        var collector = OutputCollector(
            standardOutput: output.readEnd, standardError: errors.readEnd, limit: outputLimit)
        defer { collector.close() }
        // A program's pipes close as it exits, a few microseconds before it can be reaped: wait
        // for that briefly first, not a fifth of a poll slice (10 ms on most runs of a one-shot).
        var exitWaitMicroseconds: UInt32 = 50
        while true {
            let termination = child.termination
            if let termination, collector.isFinished {
                return .finished(
                    termination, standardOutput: collector.output, standardError: collector.error)
            }
            if isCancelled() {
                child.kill()
                return .cancelled
            }
            if ContinuousClock.now >= deadline {
                child.kill()
                return .timedOut
            }
            let milliseconds = pollSliceMilliseconds(until: deadline)
            if collector.isFinished {
                usleep(min(exitWaitMicroseconds, UInt32(milliseconds) * 1000 / 5))
                exitWaitMicroseconds = min(exitWaitMicroseconds * 2, 10_000)
            } else {
                collector.poll(timeoutMilliseconds: milliseconds)
            }
        }
    }

    /// How long one poll(2) may sleep before `deadline`: at most 50 ms, so the loop notices exit,
    /// cancellation and the deadline promptly, and at least 1 ms, so it never spins.
    static func pollSliceMilliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let slice = min(ContinuousClock.now.duration(to: deadline), .milliseconds(50))
        let (seconds, attoseconds) = slice.components
        return Int32(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}
