import LBCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs programs with posix_spawn, each in a process group of its own, so that a timeout or a
/// cancellation kills the program together with everything it started (a `bash -c` and its
/// `sleep`, for instance).
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
            try await withCheckedThrowingContinuation { continuation in
                let job = SpawnJob(
                    executable: executable, arguments: arguments, timeout: timeout,
                    cancellation: cancellation)
                BlockingThread.start { continuation.resume(with: job.run()) }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }
}

/// Serialises pipe creation and spawning; see ``SpawnJob/run()``.
private let spawnLock = Mutex(())

final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)
    func cancel() { state.store(true, ordering: .relaxed) }
    var isCancelled: Bool { state.load(ordering: .relaxed) }
}

/// One program run, from spawn to reaping. Everything here blocks; it runs on its own thread.
private struct SpawnJob: Sendable {
    let executable: String
    let arguments: [String]
    let timeout: Duration
    let cancellation: CancellationFlag

    func run() -> Result<CommandResult, any Error> {
        // Pipes get close-on-exec and the spawn happens under one lock: without pipe2 (not
        // exported by Glibc's Swift module) another thread's spawn could otherwise inherit our
        // pipe ends between pipe() and fcntl(), and our reads would never see end of file.
        let spawned: Result<(pid: pid_t, output: Int32, error: Int32), CommandError> =
            spawnLock.withLock { _ in
                var outputPipe: [Int32] = [-1, -1]
                var errorPipe: [Int32] = [-1, -1]
                guard pipe(&outputPipe) == 0 else {
                    return .failure(.launchFailed(executable: executable, errno: errno))
                }
                guard pipe(&errorPipe) == 0 else {
                    let code = errno
                    close(outputPipe[0])
                    close(outputPipe[1])
                    return .failure(.launchFailed(executable: executable, errno: code))
                }
                for descriptor in outputPipe + errorPipe {
                    _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                }
                let child = spawn(standardOutput: outputPipe[1], standardError: errorPipe[1])
                close(outputPipe[1])
                close(errorPipe[1])
                switch child {
                case .failure(let error):
                    close(outputPipe[0])
                    close(errorPipe[0])
                    return .failure(error)
                case .success(let pid):
                    return .success((pid, outputPipe[0], errorPipe[0]))
                }
            }
        let child: (pid: pid_t, output: Int32, error: Int32)
        switch spawned {
        case .failure(let error): return .failure(error)
        case .success(let started): child = started
        }
        let pid = child.pid

        let deadline = ContinuousClock.now.advanced(by: timeout)
        var collector = OutputCollector(standardOutput: child.output, standardError: child.error)
        var stopReason: CommandError?
        var status: Int32 = 0
        var reaped = false

        while true {
            if !reaped {
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid || (result == -1 && errno == ECHILD) { reaped = true }
            }
            if reaped && collector.isFinished { break }
            if cancellation.isCancelled {
                stopReason = .cancelled(executable: executable)
                break
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                stopReason = .timedOut(executable: executable, after: timeout)
                break
            }
            let milliseconds = pollSliceMilliseconds(until: deadline)
            if collector.isFinished {
                usleep(UInt32(milliseconds) * 1000 / 5)
            } else {
                collector.poll(timeoutMilliseconds: milliseconds)
            }
        }

        if let stopReason {
            // The group id is the child's pid (POSIX_SPAWN_SETPGROUP with 0).
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            if !reaped { waitpid(pid, &status, 0) }
            collector.close()
            return .failure(stopReason)
        }
        collector.close()
        return .success(
            CommandResult(
                termination: Self.termination(status),
                standardOutput: String(decoding: collector.output, as: UTF8.self),
                standardError: String(decoding: collector.error, as: UTF8.self)))
    }

    private static func termination(_ status: Int32) -> CommandResult.Termination {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(signal)
    }

    private func spawn(standardOutput: Int32, standardError: Int32) -> Result<pid_t, CommandError> {
        #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError, 2)
        #if canImport(Glibc)
            // A check must not inherit the agent's sockets or the pipes of other checks (a
            // command that leaves a daemon behind would hold them open).
            InheritedDescriptors.closeAll(in: &actions)
        #endif

        // A new process group, so a timeout can kill everything the program started; default
        // signal handling and an empty mask, since our process ignores SIGPIPE.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT] {
            sigaddset(&defaults, signal)
        }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executable] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, environ)
        guard result == 0 else {
            return .failure(.launchFailed(executable: executable, errno: result))
        }
        return .success(pid)
    }
}

/// Drains a program's stdout and stderr pipes, keeping the first ``ProcessRunner/outputLimit``
/// bytes of each.
private struct OutputCollector {
    private var descriptors: [Int32]
    private(set) var output: [UInt8] = []
    private(set) var error: [UInt8] = []

    init(standardOutput: Int32, standardError: Int32) {
        descriptors = [standardOutput, standardError]
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
    }

    var isFinished: Bool { descriptors.allSatisfy { $0 < 0 } }

    mutating func poll(timeoutMilliseconds: Int32) {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = entries.withUnsafeMutableBufferPointer {
            Glibc.poll($0.baseAddress, nfds_t($0.count), timeoutMilliseconds)
        }
        guard ready > 0 else { return }
        for index in entries.indices where entries[index].fd >= 0 && entries[index].revents != 0 {
            drain(index)
        }
    }

    private mutating func drain(_ index: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptors[index], $0.baseAddress, $0.count) }
            if count > 0 {
                let room = ProcessRunner.outputLimit - (index == 0 ? output.count : error.count)
                if room > 0 {
                    let kept = buffer[0..<min(count, room)]
                    if index == 0 { output += kept } else { error += kept }
                }
                continue
            }
            if count == -1 && (errno == EAGAIN || errno == EINTR) { return }
            // End of file or a read error: this stream is done.
            Glibc.close(descriptors[index])
            descriptors[index] = -1
            return
        }
    }

    mutating func close() {
        for index in descriptors.indices where descriptors[index] >= 0 {
            Glibc.close(descriptors[index])
            descriptors[index] = -1
        }
    }
}
