import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program started with posix_spawn in a process group of its own, so that a timeout or a stop
/// reaches everything it started (a `bash -c` and its `sleep`, a daemon and its helpers).
///
/// The child inherits none of our descriptors above 2 (see ``InheritedDescriptors``), gets the
/// default disposition of the usual signals and an empty signal mask (our process ignores
/// SIGPIPE), and is reaped with waitpid on its own pid only: Foundation's `Process` is avoided,
/// since it watches children through an inherited socket and daemons that close inherited
/// descriptors leave it blocked. Invariant: the child is reaped at most once, and its status,
/// once known, never changes.
public final class ChildProcess: Sendable {
    /// The child's pid, which is also its process group id.
    public let pid: pid_t
    /// The program, as given to the initialiser, for messages.
    public let executable: String
    private let status = Mutex<ProcessTermination?>(nil)

    /// Starts `executable` (a path; no shell, no PATH search) with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment; `nil` passes ours unchanged.
    ///   - workingDirectory: where the child starts; `nil` keeps ours.
    /// - Throws: ``SpawnError`` with posix_spawn's errno (ENOENT for a missing program...).
    public init(
        _ executable: String, arguments: [String] = [], environment: [String: String]? = nil,
        workingDirectory: String? = nil, standardInput: StandardStream = .null,
        standardOutput: StandardStream = .null, standardError: StandardStream = .null
    ) throws(SpawnError) {
        self.executable = executable
        let spawned: Result<pid_t, SpawnError> = spawnLock.withLock { _ in
            Self.spawn(
                executable, arguments: arguments, environment: environment,
                workingDirectory: workingDirectory,
                streams: [standardInput, standardOutput, standardError])
        }
        switch spawned {
        case .success(let pid):
            self.pid = pid
            LiveProcessGroups.add(pid)
        case .failure(let error): throw error
        }
    }

    /// How the child ended, reaping it if it just did; nil while it runs. Never blocks.
    public var termination: ProcessTermination? {
        status.withLock { known in
            if let known { return known }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                known = ProcessTermination(waitStatus: raw)
            } else if result == -1 && errno == ECHILD {
                known = .unknown
            }
            if known != nil { LiveProcessGroups.remove(pid) }
            return known
        }
    }

    public var isRunning: Bool { termination == nil }

    /// Waits until the child ends or `deadline` passes; how it ended, or nil at the deadline.
    public func wait(until deadline: ContinuousClock.Instant) -> ProcessTermination? {
        while true {
            if let termination { return termination }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// Waits at most `timeout` for the child to end; how it ended, or nil.
    public func wait(timeout: Duration) -> ProcessTermination? {
        wait(until: ContinuousClock.now.advanced(by: timeout))
    }

    /// Blocks until the child ends; for a child that was just killed, or one that must end.
    @discardableResult
    public func waitUntilExit() -> ProcessTermination {
        if let termination { return termination }
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &raw, 0) } while result == -1 && errno == EINTR
        let reaped = result == pid ? ProcessTermination(waitStatus: raw) : nil
        LiveProcessGroups.remove(pid)
        return status.withLock { known in
            if let reaped, known == nil || known == .unknown { known = reaped }
            if known == nil { known = .unknown }
            return known!
        }
    }

    /// Sends `signal` to the child's whole process group (and to the child itself, should it
    /// have left the group).
    public func signalGroup(_ signal: Int32) {
        guard isRunning else { return }
        _ = Self.signal(-pid, signal)
        _ = Self.signal(pid, signal)
    }

    /// Stops the child: SIGTERM to its group, then SIGKILL if it still runs after `grace`;
    /// waits for it and returns how it ended.
    @discardableResult
    public func stop(grace: Duration = .seconds(2)) -> ProcessTermination {
        if let termination { return termination }
        signalGroup(SIGTERM)
        if let ended = wait(timeout: grace) { return ended }
        return kill()
    }

    /// SIGKILL to the child's whole group, even when the child itself has ended (what it
    /// started may still hold its pipes); waits for the child and returns how it ended.
    @discardableResult
    public func kill() -> ProcessTermination {
        _ = Self.signal(-pid, SIGKILL)
        if isRunning { _ = Self.signal(pid, SIGKILL) }
        return waitUntilExit()
    }

    private static func signal(_ target: pid_t, _ signal: Int32) -> Int32 {
        #if canImport(Glibc)
            Glibc.kill(target, signal)
        #else
            Darwin.kill(target, signal)
        #endif
    }

    /// posix_spawn with the file actions and attributes; errno on failure. Runs under
    /// ``spawnLock``.
    private static func spawn(
        _ executable: String, arguments: [String], environment: [String: String]?,
        workingDirectory: String?, streams: [StandardStream]
    ) -> Result<pid_t, SpawnError> {
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
        for (target, stream) in zip(Int32(0)..., streams) {
            switch stream {
            case .inherited: break
            case .null:
                posix_spawn_file_actions_addopen(
                    &actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let path):
                let flags = target == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC
                posix_spawn_file_actions_addopen(&actions, target, path, flags, 0o644)
            case .appending(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .descriptor(let descriptor):
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        if let workingDirectory {
            guard WorkingDirectory.add(workingDirectory, to: &actions) else {
                return .failure(SpawnError(executable: executable, errno: ENOSYS))
            }
        }
        #if canImport(Glibc)
            // A child must not hold our sockets (a server's port), nor the pipes of other
            // children (a program that leaves a daemon behind would keep them open).
            InheritedDescriptors.closeAll(in: &actions)
        #endif

        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        // Group id 0: the child's own pid.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for variable in envp { free(variable) } }
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        }
        return result == 0 ? .success(pid) : .failure(SpawnError(executable: executable, errno: result))
    }
}
