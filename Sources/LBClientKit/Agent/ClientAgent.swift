import LBCore
import NIOCore
import SNMP

/// lbclient's own SNMP agent, for nodes without net-snmp: it answers the load OID with the same
/// value `pass` would print, from an ``AnswerCache``.
public final class ClientAgent: Sendable {
    private let agent: SNMPAgent
    private let cache: AnswerCache

    /// The grants the agent enforces, when it was given some.
    public let access: SNMPAgentAccess?

    /// An agent that answers whom `configuration` lists, or, with `access`, only the sources and
    /// security levels `access` grants.
    public init(configuration: SNMPAgentConfiguration, access: SNMPAgentAccess? = nil, cache: AnswerCache) {
        self.cache = cache
        self.access = access
        var configuration = configuration
        if let access { configuration.access = access }
        // A busy poller's next GET comes tens of microseconds after an answer: waiting for it
        // awake is faster than being woken; lbd's polls, seconds apart, never start it.
        if configuration.busyPoll == .zero { configuration.busyPoll = Self.busyPoll }
        agent = SNMPAgent(configuration: configuration)
        let loadOID = OID(loadReportOID)!
        // Answered on the agent's event loop while the cached answer is fresh; through the actor
        // (which starts a refresh) only when it is not.
        agent.register(
            loadOID, immediate: { [cache] in cache.freshAnswer().map(Self.value(of:)) },
            provider: { [cache] in Self.value(of: await cache.answer()) })
    }

    /// How long the agent's UDP thread keeps polling after an answer when requests come close
    /// together (``SNMPAgentConfiguration/busyPoll``).
    public static let busyPoll: Duration = .microseconds(50)

    /// The SNMP value of an answer: INTEGER for one file, OCTET STRING `alias=value,...` else.
    public static func value(of answer: PassAnswer?) -> SNMPValue {
        switch answer {
        case nil:
            return .noSuchInstance
        case .integer(let load)?:
            return .integer(Int32(clamping: load))
        case .some(let answer):
            return .octetString(Array(answer.value.utf8))
        }
    }

    /// Starts answering; the first evaluation starts at once so the first poll finds a value.
    @discardableResult
    public func start() async throws -> SocketAddress {
        await cache.startRefresh()
        return try await agent.start()
    }

    public func stop() async {
        await agent.stop()
    }

    public var statistics: SNMPAgentStatistics { agent.statistics }
}
