/// Detached threads for work that blocks in system calls (waiting for a child, reading stdin,
/// `stat` on a network filesystem). The cooperative pool has one thread per core, two here, so
/// blocking it would stall every other check and the SNMP agent, and a batch of SNMP GETs, which
/// waits in poll(2) between answers.
public enum BlockingThread {
    /// Runs `body` on a new detached thread.
    public static func start(_ body: @escaping @Sendable () -> Void) {
        // No thread could be created: run inline rather than lose the work.
        if case .failure = ThreadBody.spawn(body, detached: true) { body() }
    }

    /// Runs `body` on a new thread and returns its result to the awaiting task.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            start { continuation.resume(with: Result { try body() }) }
        }
    }
}
