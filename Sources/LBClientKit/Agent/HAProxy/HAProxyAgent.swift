import NIOCore

/// lbclient as an HAProxy agent: answers agent checks from the same ``AnswerCache`` the SNMP
/// agent reads, so a connection never runs checks of its own, with the failed check's name
/// taken from the ``OutcomeRecord`` the cache's evaluations fill.
public final class HAProxyAgent: Sendable {
    private let servers: [HAProxyAgentServer]
    private let cache: AnswerCache

    /// One listener per configuration, all answering from `cache` and `record`.
    public init(listeners: [HAProxyAgentServer.Configuration], cache: AnswerCache, record: OutcomeRecord) {
        self.cache = cache
        let answer: HAProxyAgentServer.Answer = { [cache, record] request in
            HAProxyAgentAnswerer.reply(answer: await cache.answer(), latest: record.latest, request: request)
        }
        servers = listeners.map { HAProxyAgentServer(configuration: $0, answer: answer) }
    }

    /// Starts every listener (and the first evaluation); returns their bound addresses.
    public func start() async throws -> [SocketAddress] {
        await cache.startRefresh()
        var addresses: [SocketAddress] = []
        do {
            for server in servers { addresses.append(try await server.start()) }
        } catch {
            await stop()
            throw error
        }
        return addresses
    }

    public func stop() async {
        for server in servers { await server.stop() }
    }
}
