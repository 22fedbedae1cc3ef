import Foundation

/// What the history keeps of one engine batch, for the service page.
public struct CycleRecord: Hashable, Sendable, Codable {
    public var at: Date
    /// Seconds from the first poll to the last publication.
    public var duration: Double
    public var aliases: Int
    public var nodesPolled: Int
    /// Failed polls by `PollFailure.code`.
    public var pollFailures: [String: Int]
    /// Failed publications by target.
    public var publishFailures: [String: Int]

    public init(
        at: Date, duration: Double, aliases: Int, nodesPolled: Int, pollFailures: [String: Int],
        publishFailures: [String: Int]
    ) {
        self.at = at
        self.duration = duration
        self.aliases = aliases
        self.nodesPolled = nodesPolled
        self.pollFailures = pollFailures
        self.publishFailures = publishFailures
    }

    /// The record of `round`.
    public init(_ round: EvaluationRound) {
        self.init(
            at: round.startedAt,
            duration: Double(round.duration.components.seconds)
                + Double(round.duration.components.attoseconds) / 1e18,
            aliases: round.evaluations.count, nodesPolled: round.nodesPolled,
            pollFailures: round.pollFailuresByCause, publishFailures: round.publishFailuresByTarget)
    }
}

/// Something that happened to the service, for the service page: a reload, a takeover.
public struct ServiceEvent: Hashable, Sendable, Codable {
    public var at: Date
    /// `reload`, `reload-failed`, `takeover`, `stepped-down`, `started`, `stopped`.
    public var kind: String
    public var instance: String
    public var detail: String

    public init(at: Date, kind: String, instance: String, detail: String) {
        self.at = at
        self.kind = kind
        self.instance = instance
        self.detail = detail
    }
}

/// What the history says about the service over a window.
public struct ServiceHistory: Hashable, Sendable, Codable {
    public var from: Date
    public var to: Date
    /// Raw while recent, rolled up (5-minute buckets, durations averaged, counts summed) later.
    public var cycles: [CycleRecord]
    public var events: [ServiceEvent]

    public init(from: Date, to: Date, cycles: [CycleRecord], events: [ServiceEvent]) {
        self.from = from
        self.to = to
        self.cycles = cycles
        self.events = events
    }
}
