import Synchronization

/// What an `SNMPAgent` has received and how it dealt with it, counted since `start()`.
///
/// Invariant: every received datagram is counted once in `datagramsReceived` and at most once in
/// one of the drop or USM counters.
public struct SNMPAgentStatistics: Hashable, Sendable {
    /// Datagrams read from the socket.
    public var datagramsReceived: UInt64 = 0
    /// Datagrams that were not a valid SNMP message (snmpInASNParseErrs).
    public var parseErrors: UInt64 = 0
    /// v1/v2c messages with a community the agent does not serve (snmpInBadCommunityNames).
    public var badCommunityNames: UInt64 = 0
    /// Datagrams dropped because `maximumConcurrentRequests` were already being handled.
    public var droppedWhileBusy: UInt64 = 0
    /// Requests answered with `genErr` because their values took longer than `requestTimeout`.
    public var requestTimeouts: UInt64 = 0
    /// Responses and Reports sent.
    public var messagesSent: UInt64 = 0
    /// The usmStats counters (RFC 3414 section 5), each the number of Reports of that kind that
    /// were due, whether or not the message allowed sending them.
    public var usmErrors: [USMError: UInt32] = [:]

    public init() {}
}

/// The agent's counters, shared by the tasks that handle requests.
final class AgentCounters: Sendable {
    private let state = Mutex(SNMPAgentStatistics())

    var snapshot: SNMPAgentStatistics { state.withLock { $0 } }

    func count(_ counter: WritableKeyPath<SNMPAgentStatistics, UInt64> & Sendable) {
        state.withLock { $0[keyPath: counter] &+= 1 }
    }

    /// Counts a USM error and returns the new value of its usmStats counter, for the Report.
    func count(_ error: USMError) -> UInt32 {
        state.withLock { statistics in
            let value = statistics.usmErrors[error, default: 0] &+ 1
            statistics.usmErrors[error] = value
            return value
        }
    }
}
