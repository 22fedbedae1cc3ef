import DNS
import NIOCore

/// What an authoritative server answers for an alias, as a client of the load-balanced name sees it.
enum AliasAddresses {
    /// The alias's A records at `server`, sorted; throws when the server does not answer within
    /// `timeout` (one attempt).
    static func query(_ alias: String, server: SocketAddress, timeout: Duration = .milliseconds(300))
        async throws -> [String]
    {
        let client = DNSClient(options: DNSClient.Options(timeout: timeout, retries: 0))
        let answer = try await client.query(try DomainName(parsing: alias + "."), type: .a, server: server)
        return answer.message.answers.compactMap { record in
            if case .a(let address) = record.data { return "\(address)" }
            return nil
        }.sorted()
    }
}
