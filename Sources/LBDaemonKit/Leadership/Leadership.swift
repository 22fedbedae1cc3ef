/// Who of the two instances of a partition publishes.
///
/// Both instances poll and decide; the engine asks for a permit before each publication and
/// publishes only with one. `StandaloneLeadership` always gives one; `HeartbeatLeadership`
/// follows golbd's heartbeat file; `LeaseLeadership` holds a PostgreSQL lease whose fencing token
/// every UPDATE carries.
public protocol Leadership: Sendable {
    /// A permit to publish now, or nil while this instance must not publish (it is the standby).
    /// Asked before every publication, so it must be cheap: it answers from the state `run()`
    /// keeps, never from the network.
    func publishingPermit() async -> PublishingPermit?

    /// The role and why, for logs, `lbd status` and the API.
    func status() async -> LeadershipStatus

    /// Keeps the role up to date (writes or reads the heartbeat, renews or acquires the lease)
    /// until the task is cancelled; then lets go of what it holds (a lease is released).
    func run() async

    /// Called by the engine after each evaluation round it completed, so that a heartbeat says
    /// the engine is alive, not only the process.
    func roundCompleted() async

    /// Each role change, as it happens (the embedded server follows the active's zone while
    /// standby). The current role is the first element.
    func roleChanges() async -> AsyncStream<LeadershipRole>
}
