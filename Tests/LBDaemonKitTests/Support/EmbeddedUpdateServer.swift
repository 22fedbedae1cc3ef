import DNS
import LBDaemonKit
import NIOCore

/// Our own `DNSServer` on 127.0.0.1, serving one zone per alias (golbd's layout) and accepting
/// UPDATEs signed with the given keys: the peer of the `DNSUpdatePublisher` tests.
final class EmbeddedUpdateServer: Sendable {
    let store = ZoneStore()
    let server: DNSServer
    let address: SocketAddress

    var serverAddress: ServerAddress { ServerAddress(host: "127.0.0.1", port: address.port ?? 0) }

    init(aliases: [String], keys: [DNS.TSIGKey]) async throws {
        for alias in aliases {
            store.replace(try Self.zone(alias))
        }
        server = DNSServer(
            configuration: DNSServerConfiguration(
                host: "127.0.0.1", port: 0, udpSockets: 1, updateKeys: keys),
            store: store)
        address = try await server.start()
    }

    /// The current serial of the alias's zone.
    func serial(_ alias: String) throws -> UInt32? {
        store.zone(try DomainName(parsing: alias + "."))?.soa.serial
    }

    /// The A and AAAA records of `alias` as the server answers them, addresses as text, sorted,
    /// with their TTLs.
    func records(_ alias: String) async throws -> [String] {
        let name = try DomainName(parsing: alias + ".")
        var lines: [String] = []
        for type in [RecordType.a, .aaaa] {
            let response = try await DNSClient().query(name, type: type, server: address)
            lines += response.message.answers.compactMap { record in
                switch record.data {
                case .a(let address): return "\(address) \(record.ttl)"
                case .aaaa(let address): return "\(address) \(record.ttl)"
                default: return nil
                }
            }
        }
        return lines.sorted()
    }

    func stop() async {
        await server.stop()
    }

    private static func zone(_ alias: String) throws -> Zone {
        let origin = try DomainName(parsing: alias + ".")
        let soa = StartOfAuthority(
            primaryServer: try DomainName(parsing: "ns.lb.example."),
            responsibleMailbox: try DomainName(parsing: "hostmaster.lb.example."), serial: 1, refresh: 3600,
            retry: 600, expire: 86_400, minimum: 60)
        return try Zone(
            origin: origin, soa: soa, soaTTL: 60,
            records: [
                ResourceRecord(name: origin, ttl: 60, data: .ns(try DomainName(parsing: "ns.lb.example.")))
            ])
    }
}
