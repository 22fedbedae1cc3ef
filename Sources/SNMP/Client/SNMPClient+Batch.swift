import NIOCore
import OSThreads
import UDPReplySource

extension SNMPClient {
    /// How a batch of GETs paces its requests: the prompt-window scheme of lbd's poller
    /// (`NodePoller.Bounds`). A poll holds one of `concurrency` slots from its first request
    /// until it ends or its prompt window does, whichever comes first; `maximumOutstanding`
    /// bounds the polls under way in all.
    public struct BatchPacing: Sendable, Equatable {
        /// Polls holding a slot at once.
        public var concurrency: Int
        /// Polls under way at once, those past their window included.
        public var maximumOutstanding: Int
        /// How long a poll holds its slot at most; nil until it ends.
        public var promptWindow: Duration?
        /// The window of the first `silentCount` targets (those that did not answer last time);
        /// no longer than `promptWindow`.
        public var silentWindow: Duration?
        public var silentCount: Int

        public init(
            concurrency: Int, maximumOutstanding: Int, promptWindow: Duration?, silentWindow: Duration? = nil,
            silentCount: Int = 0
        ) {
            self.concurrency = max(1, concurrency)
            self.maximumOutstanding = max(self.concurrency, maximumOutstanding)
            self.promptWindow = promptWindow
            self.silentWindow = silentWindow ?? promptWindow
            self.silentCount = max(0, silentCount)
        }
    }

    /// How one GET of a batch ended: the response's bindings, in request order, or why not.
    public typealias BatchOutcome = Result<[VariableBinding], SNMPClientError>

    /// Whether this system can run batches (Linux: recvmmsg and sendmmsg).
    public static var batchGetsAvailable: Bool { DatagramBatchCalls.available }

    /// GETs `oids` from each agent of `targets`, paced by `pacing`, from a thread and sockets of
    /// the batch's own rather than a task per request; hands each target's outcome to `deliver`
    /// as soon as it is known (from that thread), with the time from its first request, and
    /// returns once every target has been delivered exactly once. Answers are read as
    /// `get(_:from:credentials:timeout:retries:)` reads them, and v3 engines are shared with it.
    ///
    /// Cancelling the task, or shutting the client down, ends the polls under way and those not
    /// started yet with `SNMPClientError.shutDown` within 50 ms.
    ///
    /// - Parameters:
    ///   - started: called once, when the last target's first request has been sent.
    ///   - deliver: the target's position in `targets`, its outcome, and the time it took.
    public func get(
        _ oids: [OID], fromEach targets: [SocketAddress], credentials: SNMPCredentials,
        timeout: Duration = .seconds(2), retries: Int = 2, pacing: BatchPacing,
        started: @escaping @Sendable () -> Void = {},
        deliver: @escaping @Sendable (_ target: Int, _ outcome: BatchOutcome, _ elapsed: Duration) -> Void
    ) async {
        guard !targets.isEmpty else { return }
        let run = BatchGetRun(
            client: self, targets: targets, bindings: oids.map { VariableBinding(oid: $0) },
            credentials: credentials, timeout: timeout, retries: retries, pacing: pacing, started: started,
            deliver: deliver)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                BlockingThread.start {
                    run.run()
                    continuation.resume()
                }
            }
        } onCancel: {
            run.stop.store(true, ordering: .relaxed)
        }
    }
}
