import Foundation
import LBTestSupport
import NIOCore
import Testing

@testable import SNMP

/// Our client against a real net-snmp snmpd (Debian `snmpd`), started per test.
@Suite(.serialized) struct ClientInteropTests {
    let loadOID = OID(".1.3.6.1.4.1.96.255.1")!

    /// Runs `body` with a started snmpd and client, stopping both afterwards.
    private func withSnmpd(
        passValue: String = "integer\n42", _ body: (Snmpd, SNMPClient) async throws -> Void
    ) async throws {
        guard Peers.available("snmpd") else { return }
        let snmpd = try Snmpd(passValue: passValue)
        defer { snmpd.stop() }
        let client = try await SNMPClient.start()
        do {
            try await snmpd.waitUntilReady(client: client)
            try await body(snmpd, client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    @Test func v2cGetsAnIntegerFromAPassScript() async throws {
        try await withSnmpd { snmpd, client in
            let values = try await client.get(
                [loadOID], from: snmpd.address, credentials: .community("public"))
            #expect(values == [VariableBinding(oid: loadOID, value: .integer(42))])
        }
    }

    @Test func v2cGetsAStringAndAPassPersistValue() async throws {
        try await withSnmpd { snmpd, client in
            let values = try await client.get(
                [OID(".1.3.6.1.4.1.96.255.2")!, OID(".1.3.6.1.4.1.96.254.1")!], from: snmpd.address,
                credentials: .community("public"))
            #expect(values.map(\.value) == [.string("a.example.org=5,b.example.org=-3"), .integer(17)])
        }
    }

    @Test func anUnknownOIDIsNoSuchObjectOrInstance() async throws {
        try await withSnmpd { snmpd, client in
            let values = try await client.get(
                [OID(".1.3.6.1.4.1.99999.1")!], from: snmpd.address, credentials: .community("public"))
            #expect(values.first?.value.isException == true)
        }
    }

    @Test(arguments: ["loadbalancing", "shaaes", "sha256aes", "sha512aes"])
    func v3UsersGetTheLoad(name: String) async throws {
        try await withSnmpd { snmpd, client in
            let user = try #require(Snmpd.users[name])
            let values = try await client.get([loadOID], from: snmpd.address, credentials: .user(user))
            #expect(values == [VariableBinding(oid: loadOID, value: .integer(42))])
            // The second GET reuses the cached engine and keys.
            let again = try await client.get([loadOID], from: snmpd.address, credentials: .user(user))
            #expect(again == values)
        }
    }

    @Test func aWrongPasswordIsAWrongDigest() async throws {
        try await withSnmpd { snmpd, client in
            let user = USMUser(
                name: "loadbalancing", authentication: .init(.md5, password: "not-the-password"))
            await #expect(throws: SNMPClientError.security(.wrongDigest)) {
                try await client.get([loadOID], from: snmpd.address, credentials: .user(user), retries: 0)
            }
        }
    }

    @Test func anUnknownUserIsReported() async throws {
        try await withSnmpd { snmpd, client in
            let user = USMUser(name: "nobody", authentication: .init(.md5, password: Snmpd.password))
            await #expect(throws: SNMPClientError.security(.unknownUserName)) {
                try await client.get([loadOID], from: snmpd.address, credentials: .user(user), retries: 0)
            }
        }
    }

    @Test func aWrongPrivacyPasswordFails() async throws {
        try await withSnmpd { snmpd, client in
            let user = USMUser(
                name: "shaaes", authentication: .init(.sha1, password: "password-sha1"),
                privacy: .init(.aes128, password: "wrong-privacy"))
            // snmpd cannot decrypt: it reports a decryption error (or stays silent).
            do {
                _ = try await client.get(
                    [loadOID], from: snmpd.address, credentials: .user(user), timeout: .seconds(1), retries: 0
                )
                Issue.record("a wrong privacy password was accepted")
            } catch let error as SNMPClientError {
                #expect(error == .security(.decryptionError) || error == .timeout(attempts: 1))
            }
        }
    }

    @Test func aWrongCommunityTimesOut() async throws {
        try await withSnmpd { snmpd, client in
            await #expect(throws: SNMPClientError.timeout(attempts: 2)) {
                try await client.get(
                    [loadOID], from: snmpd.address, credentials: .community("private"),
                    timeout: .milliseconds(300),
                    retries: 1)
            }
        }
    }

    @Test func hundredsOfConcurrentGetsAreMatchedToTheirRequests() async throws {
        try await withSnmpd { snmpd, client in
            let address = try snmpd.address
            let oids = [loadOID, OID(".1.3.6.1.4.1.96.255.2")!, OID(".1.3.6.1.4.1.96.254.1")!]
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<300 {
                    let oid = oids[index % oids.count]
                    group.addTask {
                        let values = try await client.get(
                            [oid], from: address, credentials: .community("public"))
                        return values.first?.oid == oid
                    }
                }
                var matched = 0
                for try await ok in group where ok { matched += 1 }
                #expect(matched == 300)
            }
            #expect(client.requestsInFlight == 0)
        }
    }
}

/// Client behaviour that needs no agent.
@Suite struct ClientTests {
    let loadOID = OID(".1.3.6.1.4.1.96.255.1")!

    @Test func aSilentAddressTimesOutAfterEveryRetry() async throws {
        let client = try await SNMPClient.start()
        let port = try Peers.freeUDPPort()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        await #expect(throws: SNMPClientError.timeout(attempts: 3)) {
            try await client.get(
                [loadOID], from: address, credentials: .community("public"), timeout: .milliseconds(100),
                retries: 2)
        }
        #expect(client.requestsInFlight == 0)
        await client.shutdown()
    }

    @Test func cancellingAGetEndsItAtOnce() async throws {
        let client = try await SNMPClient.start()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: try Peers.freeUDPPort())
        let task = Task {
            try await client.get(
                [loadOID], from: address, credentials: .community("public"), timeout: .seconds(30))
        }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(client.requestsInFlight == 0)
        await client.shutdown()
    }

    @Test func theInFlightBoundHoldsAndWaitersCanBeCancelled() async throws {
        let client = try await SNMPClient.start(maximumInFlight: 4)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: try Peers.freeUDPPort())
        let tasks = (0..<20).map { _ in
            Task {
                try await client.get(
                    [loadOID], from: address, credentials: .community("public"), timeout: .seconds(30),
                    retries: 0)
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(client.requestsInFlight == 4)
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
        #expect(client.requestsInFlight == 0)
        await client.shutdown()
    }

    @Test func shutdownFailsWaitingRequests() async throws {
        let client = try await SNMPClient.start()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: try Peers.freeUDPPort())
        let task = Task {
            try await client.get(
                [loadOID], from: address, credentials: .community("public"), timeout: .seconds(30))
        }
        try await Task.sleep(for: .milliseconds(100))
        await client.shutdown()
        await #expect(throws: SNMPClientError.shutDown) { try await task.value }
    }
}
