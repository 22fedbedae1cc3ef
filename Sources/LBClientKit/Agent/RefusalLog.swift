import SNMP
import Synchronization

/// Turns the agent's refused requests into log lines, at most one per source address per
/// `interval`: a scan or a misconfigured poller cannot flood the log, and the line says how many
/// refusals it stands for.
///
/// Invariant: it remembers at most `maximumSources` addresses; beyond them, refusals from new
/// addresses are counted together and reported with the next line of any new address.
public final class RefusalLog: Sendable {
    public let interval: Duration
    public let maximumSources: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let emit: @Sendable (String) -> Void
    private let state = Mutex(State())

    private struct State {
        /// When each address last got a line, and how many refusals since then went unlogged.
        var sources: [String: (loggedAt: ContinuousClock.Instant, unlogged: Int)] = [:]
        /// Refusals from addresses that found the table full.
        var overflow = 0
    }

    public init(
        interval: Duration = .seconds(60), maximumSources: Int = 1024,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        emit: @escaping @Sendable (String) -> Void
    ) {
        self.interval = interval
        self.maximumSources = max(1, maximumSources)
        self.now = now
        self.emit = emit
    }

    /// Records one refusal; logs it unless its address already had a line within `interval`.
    public func record(_ refusal: SNMPAgentRefusal) {
        let key = refusal.sourceAddress
        let time = now()
        let line: String? = state.withLock { state in
            if var entry = state.sources[key] {
                guard entry.loggedAt.duration(to: time) >= interval else {
                    entry.unlogged += 1
                    state.sources[key] = entry
                    return nil
                }
                state.sources[key] = (time, 0)
                return Self.line(refusal, unlogged: entry.unlogged, interval: interval)
            }
            if state.sources.count >= maximumSources {
                state.sources = state.sources.filter { $0.value.loggedAt.duration(to: time) < interval }
            }
            guard state.sources.count < maximumSources else {
                state.overflow += 1
                return nil
            }
            state.sources[key] = (time, 0)
            var text = Self.line(refusal, unlogged: 0, interval: interval)
            if state.overflow > 0 {
                text += " (\(state.overflow) more refusals from other addresses were not logged)"
                state.overflow = 0
            }
            return text
        }
        if let line { emit(line) }
    }

    private static func line(_ refusal: SNMPAgentRefusal, unlogged: Int, interval: Duration) -> String {
        guard unlogged > 0 else { return refusal.description }
        return
            "\(refusal.description) (and \(unlogged) more from this address since its last line; at most one line per address every \(interval.components.seconds) s)"
    }
}
