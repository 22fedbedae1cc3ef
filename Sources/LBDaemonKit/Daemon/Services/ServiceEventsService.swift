import Foundation
import Logging
import ServiceLifecycle

/// Records what happens to this instance in the history, for the service page: its start and
/// stop, and every change of role (a takeover, a step down). Reloads are recorded by the
/// reloader through `reloadEvent(_:)`.
struct ServiceEventsService: Service {
    let recorder: HistoryRecorder
    let leadership: any Leadership
    let instance: String
    let now: @Sendable () -> Date

    init(
        recorder: HistoryRecorder, leadership: any Leadership, instance: String,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.recorder = recorder
        self.leadership = leadership
        self.instance = instance
        self.now = now
    }

    func run() async {
        record("started", "lbd started")
        await cancelWhenGracefulShutdown {
            var previous: LeadershipRole?
            for await role in await leadership.roleChanges() {
                defer { previous = role }
                // The first role is where the instance starts, not a change.
                guard let previous, previous != role else { continue }
                switch role {
                case .active: record("takeover", "this instance publishes now")
                case .standby: record("stepped-down", "this instance stopped publishing: another one does")
                }
            }
        }
        record("stopped", "lbd stopping")
    }

    /// The event of one reload.
    static func reloadEvent(_ outcome: ReloadOutcome, instance: String, at: Date) -> ServiceEvent {
        switch outcome {
        case .applied(let configuration):
            ServiceEvent(
                at: at, kind: "reload", instance: instance,
                detail: "configuration reloaded: \(configuration.servedAliases.count) alias(es)")
        case .failed:
            ServiceEvent(
                at: at, kind: "reload-failed", instance: instance,
                detail: "the new configuration was refused; the running one stays (see the log)")
        }
    }

    private func record(_ kind: String, _ detail: String) {
        recorder.record(event: ServiceEvent(at: now(), kind: kind, instance: instance, detail: detail))
    }
}
