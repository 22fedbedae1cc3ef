import Foundation
import LBTestSupport
import NIOCore

@testable import SNMP

/// Runs blocking work (socket reads, child processes) on a thread of its own, off Swift's
/// cooperative pool: on a two-core machine two blocked pool threads would starve the agent's own
/// tasks and turn every test into a timeout.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// `Peers.run` off the cooperative pool.
    static func peer(_ path: String, _ arguments: [String], timeout: Double = 20) async throws -> (
        status: Int32, output: String, errors: String
    ) {
        try await run { try Peers.run(path, arguments, timeout: timeout) }
    }
}

/// A plain UDP socket on 127.0.0.1 for sending hand-built datagrams to an agent.
final class TestUDPSocket: Sendable {
    let descriptor: Int32

    init() throws {
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("socket() failed") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw PeerError("bind() failed")
        }
    }

    deinit {
        close(descriptor)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Sends one datagram (UDP sends do not block for long: no need to leave the pool).
    func send(_ bytes: [UInt8], to port: Int) {
        var address = Self.loopback(port: port)
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(
                        descriptor, buffer.baseAddress, buffer.count, 0, $0,
                        socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// The next datagram received within `timeout` seconds, or `nil`. The default is long: it
    /// only delays a failure, and a debug build sharing two cores with the rest of the suite
    /// (fuzzers, busy-polling agents) can take seconds to answer. A test that expects silence
    /// gives its own short timeout.
    func receive(timeout: Double = 10) async throws -> [UInt8]? {
        let descriptor = self.descriptor
        return try await Blocking.run {
            var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            return count < 0 ? nil : Array(buffer.prefix(count))
        }
    }

    /// Sends `bytes` and returns the answer, or `nil` if none came within `timeout` seconds.
    func exchange(_ bytes: [UInt8], port: Int, timeout: Double = 10) async throws -> [UInt8]? {
        send(bytes, to: port)
        return try await receive(timeout: timeout)
    }
}

/// The objects, users and helpers the agent tests share.
enum AgentFixture {
    static let loadOID = OID(".1.3.6.1.4.1.96.255.1")!
    static let textOID = OID(".1.3.6.1.4.1.96.255.2")!
    static let counterOID = OID(".1.3.6.1.4.1.96.255.3")!
    static let gaugeOID = OID(".1.3.6.1.4.1.96.255.4")!
    static let text = "www.example.org=12,api.example.org=-3"

    static let objects: [OID: SNMPAgent.ValueProvider] = [
        loadOID: { .integer(42) },
        textOID: { .string(text) },
        counterOID: { .counter64(1 << 40) },
        gaugeOID: { .gauge32(7) },
    ]

    static let md5User = USMUser(name: "loadbalancing", authentication: .init(.md5, password: "md5-password"))
    static let shaAESUser = USMUser(
        name: "sha-aes", authentication: .init(.sha1, password: "sha-password"),
        privacy: .init(.aes128, password: "aes-password"))
    static let sha256User = USMUser(
        name: "sha256-aes", authentication: .init(.sha256, password: "sha256-password"),
        privacy: .init(.aes128, password: "aes256-password"))
    static let sha512User = USMUser(
        name: "sha512-aes", authentication: .init(.sha512, password: "sha512-password"),
        privacy: .init(.aes128, password: "aes512-password"))
    static let noAuthUser = USMUser(name: "guest")
    static let users = [md5User, shaAESUser, sha256User, sha512User, noAuthUser]

    /// One key cache for all tests: localising a password costs a megabyte of hashing.
    static let keyCache = USMKeyCache()

    /// A fixed engine ID, so keys localise once per test run.
    static let engineID: [UInt8] = [0x80, 0x00, 0x00, 0x60, 0x05, 1, 2, 3, 4, 5, 6, 7, 8]

    static func configuration(
        engineID: [UInt8] = engineID,
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: 0...(.max)) }
    ) -> SNMPAgentConfiguration {
        SNMPAgentConfiguration(
            host: "127.0.0.1", port: 0, communities: ["public"], users: users, engineID: engineID,
            engineBoots: 1, requestTimeout: .seconds(1), random: random)
    }

    /// A started agent serving `objects` on 127.0.0.1, and its port.
    static func startAgent(
        configuration: SNMPAgentConfiguration = configuration(),
        objects: [OID: SNMPAgent.ValueProvider] = objects
    ) async throws -> (agent: SNMPAgent, port: Int) {
        let agent = SNMPAgent(configuration: configuration, objects: objects, keyCache: keyCache)
        let address = try await agent.start()
        guard let port = address.port else { throw PeerError("the agent has no port") }
        return (agent, port)
    }

    static func v2cGet(
        _ oids: [OID], community: String = "public", requestID: Int32 = 1, kind: PDU.Kind = .getRequest
    )
        -> [UInt8]
    {
        CommunityMessage(
            version: .v2c, community: Array(community.utf8),
            pdu: PDU(
                kind: kind, requestID: requestID, variableBindings: oids.map { VariableBinding(oid: $0) })
        ).encoded()
    }

    /// A v3 request from `user`, sealed at the user's level for the fixture engine.
    static func v3Request(
        _ pdu: PDU, user: USMUser, engineID: [UInt8] = engineID, boots: Int32 = 1, time: Int32 = 0,
        messageID: Int32 = 77, keyUser: USMUser? = nil
    ) -> [UInt8] {
        let keys = keyCache.keys(for: keyUser ?? user, engineID: engineID)
        return USMCodec.seal(
            ScopedPDU(contextEngineID: engineID, pdu: pdu), messageID: messageID, reportable: true,
            user: user,
            keys: keys, engine: USMCodec.Engine(id: engineID, boots: boots, time: time),
            salt: UInt64.random(in: 0...(.max)))!
    }

    /// The engine-discovery probe net-snmp sends first: no engine ID, no user, no security.
    static func discoveryRequest(messageID: Int32 = 9) -> [UInt8] {
        SNMPv3Message(
            messageID: messageID, flags: [.reportable], security: USMSecurityParameters(),
            payload: .plaintext(
                ScopedPDU(
                    contextEngineID: [], pdu: PDU(kind: .getRequest, requestID: 3, variableBindings: [])))
        ).encoded()
    }
}
