import Dispatch
import Foundation
import LBTestSupport
import NIOCore
import Testing

@testable import DNS

/// `nsupdate` and our own client changing a zone of our in-process server with a TSIG key.
@Suite(.serialized) struct NsupdateInteropTests {
    private static let origin = name("lb.example")

    private static func zone() -> Zone {
        let soa = StartOfAuthority(
            primaryServer: name("ns.lb.example"), responsibleMailbox: name("hostmaster.lb.example"),
            serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60)
        return try! Zone(
            origin: origin, soa: soa, soaTTL: 60,
            records: [
                ResourceRecord(name: origin, ttl: 60, data: .ns(name("ns.lb.example"))),
                ResourceRecord(name: origin, ttl: 60, data: .a(IPv4Address(192, 0, 2, 1))),
                ResourceRecord(name: name("ns.lb.example"), ttl: 60, data: .a(IPv4Address(127, 0, 0, 1))),
            ])
    }

    private func withServer(
        key: TSIGKey, _ body: (_ port: Int, _ store: ZoneStore) async throws -> Void
    ) async throws {
        let store = ZoneStore()
        store.replace(Self.zone())
        let server = DNSServer(configuration: DNSServerConfiguration(updateKeys: [key]), store: store)
        let address = try await server.start()
        let port = try #require(address.port)
        do {
            try await body(port, store)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Runs a peer program on a dispatch queue: `Peers.run` blocks, and the in-process server
    /// needs the cooperative pool's threads meanwhile.
    private func run(
        _ path: String, _ arguments: [String], input: String? = nil
    ) async throws -> (status: Int32, output: String, errors: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Peers.run(path, arguments, input: input) })
            }
        }
    }

    private func dig(_ port: Int, _ type: String) async throws -> [String] {
        let result = try await run(
            Peers.find("dig") ?? "/usr/bin/dig",
            ["@127.0.0.1", "-p", "\(port)", "lb.example.", type, "+short"])
        return result.output.split(separator: "\n").map(String.init)
    }

    private func keyFile(_ key: TSIGKey) throws -> String {
        let directory = try Peers.temporaryDirectory("nsupdate-key")
        let path = directory.appendingPathComponent("update.key").path
        let secret = Data(key.secret).base64EncodedString()
        try """
        key "\(key.name)" {
            algorithm hmac-sha256;
            secret "\(secret)";
        };

        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static let script = """
        server 127.0.0.1 PORT
        zone lb.example.
        update delete lb.example. A
        update add lb.example. 60 A 192.0.2.77
        send

        """

    private static func makeKey() -> TSIGKey {
        TSIGKey(
            name: name("lb-update-key"), algorithm: .hmacSHA256,
            secret: (0..<32).map { _ in UInt8.random(in: .min ... .max) })
    }

    @Test func nsupdateWithTheKeyChangesTheZone() async throws {
        guard Peers.available("nsupdate", "dig") else { return }
        let key = Self.makeKey()
        let keyfile = try keyFile(key)
        defer { try? FileManager.default.removeItem(atPath: (keyfile as NSString).deletingLastPathComponent) }
        try await withServer(key: key) { port, store in
            let before = try await dig(port, "SOA")
            let result = try await run(
                Peers.find("nsupdate") ?? "/usr/bin/nsupdate", ["-k", keyfile],
                input: Self.script.replacingOccurrences(of: "PORT", with: "\(port)"))
            #expect(result.status == 0, "nsupdate: \(result.output) \(result.errors)")
            #expect(try await dig(port, "A") == ["192.0.2.77"])
            let after = try await dig(port, "SOA")
            let serial = { (lines: [String]) in lines.first.flatMap { UInt32($0.split(separator: " ")[2]) } }
            #expect(serial(before) == 1)
            #expect(serial(after) == 2)
            #expect(store.zone(Self.origin)?.soa.serial == 2)
        }
    }

    @Test func unsignedNsupdateIsRefused() async throws {
        guard Peers.available("nsupdate", "dig") else { return }
        try await withServer(key: Self.makeKey()) { port, store in
            let result = try await run(
                Peers.find("nsupdate") ?? "/usr/bin/nsupdate", [],
                input: Self.script.replacingOccurrences(of: "PORT", with: "\(port)"))
            #expect(result.status != 0)
            #expect(result.output.contains("REFUSED") || result.errors.contains("REFUSED"))
            #expect(try await dig(port, "A") == ["192.0.2.1"])
            #expect(store.zone(Self.origin)?.soa.serial == 1)
        }
    }

    @Test func ourClientUpdatesWithTheKey() async throws {
        let key = Self.makeKey()
        try await withServer(key: key) { port, store in
            let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            var update = DNSUpdate(zone: Self.origin)
            update.requireRRsetExists(Self.origin, type: .a)
            update.deleteRRset(Self.origin, type: .a)
            update.add(Self.origin, ttl: 60, data: .a(IPv4Address(192, 0, 2, 88)))
            let response = try await DNSClient().update(update, server: server, key: key)
            #expect(response.message.responseCode == .noError)
            #expect(response.tsig != nil)
            let zone = try #require(store.zone(Self.origin))
            #expect(zone.recordSet(Self.origin, .a).map(\.data) == [.a(IPv4Address(192, 0, 2, 88))])
            #expect(zone.soa.serial == 2)

            // A failed prerequisite: the signed answer's RCODE.
            var failing = DNSUpdate(zone: Self.origin)
            failing.requireNameNotInUse(Self.origin)
            failing.add(Self.origin, ttl: 60, data: .a(IPv4Address(192, 0, 2, 99)))
            let error = try await #require(throws: DNSClientError.self) {
                try await DNSClient().update(failing, server: server, key: key)
            }
            #expect(error.responseCode == .yxDomain)

            // A zone we do not serve.
            let elsewhere = try await #require(throws: DNSClientError.self) {
                try await DNSClient().update(DNSUpdate(zone: name("example.com")), server: server, key: key)
            }
            #expect(elsewhere.responseCode == .notAuth)
            #expect(store.zone(Self.origin)?.soa.serial == 2)
        }
    }

    @Test func wrongKeysGetTheTSIGError() async throws {
        let key = Self.makeKey()
        try await withServer(key: key) { port, store in
            let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            var update = DNSUpdate(zone: Self.origin)
            update.add(Self.origin, ttl: 60, data: .a(IPv4Address(192, 0, 2, 66)))

            let forged = TSIGKey(
                name: key.name, algorithm: key.algorithm, secret: Array(repeating: 7, count: 32))
            let badSignature = try await #require(throws: DNSClientError.self) {
                try await DNSClient().update(update, server: server, key: forged)
            }
            #expect(badSignature.tsigError?.code == .rejectedByPeer)
            #expect(badSignature.tsigError?.peerError == .badSignature)

            let stranger = TSIGKey(name: name("unknown-key"), algorithm: .hmacSHA256, secret: key.secret)
            let badKey = try await #require(throws: DNSClientError.self) {
                try await DNSClient().update(update, server: server, key: stranger)
            }
            #expect(badKey.tsigError?.peerError == .badKey)

            let late = DNSClient(clock: .fixed(UInt64(Date().timeIntervalSince1970) - 3600))
            let badTime = try await #require(throws: DNSClientError.self) {
                try await late.update(update, server: server, key: key)
            }
            #expect(badTime.tsigError != nil)

            let unsigned = try await #require(throws: DNSClientError.self) {
                try await DNSClient().update(update, server: server)
            }
            #expect(unsigned.responseCode == .refused)
            #expect(store.zone(Self.origin)?.soa.serial == 1)
        }
    }
}
