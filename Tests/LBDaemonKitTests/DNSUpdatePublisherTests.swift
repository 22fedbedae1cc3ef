import DNS
import Foundation
import LBCore
import LBTestSupport
import Synchronization
import Testing

@testable import LBDaemonKit

/// `DNSUpdatePublisher` against our own embedded server, which takes TSIG-signed UPDATEs.
@Suite(.serialized)
struct DNSUpdatePublisherTests {
    static let alias = "www.lb.example"
    static let internalKey = DNS.TSIGKey(
        name: try! DomainName(parsing: "lb-internal."), algorithm: .hmacSHA256,
        secret: Array(repeating: 0x11, count: 32))
    static let externalKey = DNS.TSIGKey(
        name: try! DomainName(parsing: "lb-external."), algorithm: .hmacMD5,
        secret: Array(repeating: 0x22, count: 16))

    static func dnsKey(_ key: DNS.TSIGKey) -> DNS.TSIGKey { key }

    static func settings(
        _ server: ServerAddress, key: DNS.TSIGKey = internalKey, external: DNS.TSIGKey? = nil,
        timeout: Double = 2, retries: Int = 2, maxConcurrentUpdates: Int = 4
    ) -> DNSSettings {
        DNSSettings(
            server: server, timeout: timeout, retries: retries, maxConcurrentUpdates: maxConcurrentUpdates,
            internalView: DNSView(key: key), externalView: external.map { DNSView(key: $0) })
    }

    static func publisher(_ settings: DNSSettings) -> DNSUpdatePublisher {
        DNSUpdatePublisher(settings: settings, sleep: { _ in })
    }

    static func publication(_ addresses: [String], ttl: Int = 120, external: Bool = false) -> Publication {
        Publication(alias: alias, addresses: addresses.map { NodeAddress($0)! }, ttl: ttl, external: external)
    }

    static func addresses(_ texts: [String]) -> [NodeAddress] { texts.map { NodeAddress($0)! } }

    private func withServer(
        aliases: [String] = [alias], keys: [DNS.TSIGKey] = [internalKey],
        _ body: (EmbeddedUpdateServer) async throws -> Void
    ) async throws {
        let server = try await EmbeddedUpdateServer(aliases: aliases, keys: keys.map(Self.dnsKey))
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func firstPublicationUpdatesAndTheRecordsCanBeRead() async throws {
        try await withServer { (server) async throws in
            let publisher = Self.publisher(Self.settings(server.serverAddress))
            let results = await publisher.publish(
                Self.publication(["192.0.2.11", "2001:db8::10", "192.0.2.10"]), dryRun: false)
            #expect(results == [PublicationResult(target: "internal view", previous: [], action: .updated)])
            #expect(
                try await server.records(Self.alias) == [
                    "192.0.2.10 120", "192.0.2.11 120", "2001:db8::10 120",
                ])
        }
    }

    @Test func theSamePublicationAgainIsUnchangedAndKeepsTheSerial() async throws {
        try await withServer { (server) async throws in
            let publisher = Self.publisher(Self.settings(server.serverAddress))
            let publication = Self.publication(["2001:db8::10", "192.0.2.10"])
            _ = await publisher.publish(publication, dryRun: false)
            let serial = try server.serial(Self.alias)

            let results = await publisher.publish(publication, dryRun: false)
            #expect(
                results == [
                    PublicationResult(
                        target: "internal view", previous: Self.addresses(["192.0.2.10", "2001:db8::10"]),
                        previousTTL: 120, action: .unchanged)
                ])
            #expect(try server.serial(Self.alias) == serial)
        }
    }

    @Test func aTTLChangeAloneUpdates() async throws {
        try await withServer { (server) async throws in
            let publisher = Self.publisher(Self.settings(server.serverAddress))
            _ = await publisher.publish(Self.publication(["192.0.2.10"], ttl: 120), dryRun: false)

            let results = await publisher.publish(Self.publication(["192.0.2.10"], ttl: 300), dryRun: false)
            #expect(results.map(\.action) == [.updated])
            #expect(results.first?.previousTTL == 120)
            #expect(try await server.records(Self.alias) == ["192.0.2.10 300"])
        }
    }

    @Test func noAddressRemovesTheRecords() async throws {
        try await withServer { (server) async throws in
            let publisher = Self.publisher(Self.settings(server.serverAddress))
            _ = await publisher.publish(Self.publication(["192.0.2.10", "2001:db8::10"]), dryRun: false)

            let results = await publisher.publish(Self.publication([]), dryRun: false)
            #expect(results.map(\.action) == [.updated])
            #expect(try await server.records(Self.alias) == [])
            #expect(
                await publisher.publish(Self.publication([]), dryRun: false).map(\.action) == [.unchanged])
        }
    }

    @Test func aDryRunReportsWouldUpdateAndChangesNothing() async throws {
        try await withServer { (server) async throws in
            let publisher = Self.publisher(Self.settings(server.serverAddress))
            _ = await publisher.publish(Self.publication(["192.0.2.10"]), dryRun: false)
            let serial = try server.serial(Self.alias)

            let results = await publisher.publish(Self.publication(["192.0.2.99"]), dryRun: true)
            #expect(
                results == [
                    PublicationResult(
                        target: "internal view", previous: Self.addresses(["192.0.2.10"]), previousTTL: 120,
                        action: .wouldUpdate)
                ])
            #expect(try server.serial(Self.alias) == serial)
            #expect(try await server.records(Self.alias) == ["192.0.2.10 120"])
        }
    }

    @Test func anExternalAliasGoesToBothViewsInternalFirst() async throws {
        // Our server has no views: both keys reach the same zone, so the external view, read
        // second, already shows what the internal UPDATE wrote.
        try await withServer(keys: [Self.internalKey, Self.externalKey]) { (server) async throws in
            let publisher = Self.publisher(Self.settings(server.serverAddress, external: Self.externalKey))

            let external = await publisher.publish(
                Self.publication(["192.0.2.10"], external: true), dryRun: false)
            #expect(external.map(\.target) == ["internal view", "external view"])
            #expect(external.map(\.action) == [.updated, .unchanged])

            let internalOnly = await publisher.publish(Self.publication(["192.0.2.20"]), dryRun: false)
            #expect(internalOnly.map(\.target) == ["internal view"])
        }
    }

    @Test func aWrongSecretFailsWithTheTSIGError() async throws {
        try await withServer { (server) async throws in
            let forged = DNS.TSIGKey(
                name: Self.internalKey.name, algorithm: Self.internalKey.algorithm,
                secret: Array(repeating: 0x77, count: 32))
            let publisher = Self.publisher(Self.settings(server.serverAddress, key: forged))

            let results = await publisher.publish(Self.publication(["192.0.2.10"]), dryRun: false)
            #expect(results.count == 1)
            guard case .failed(let failure) = results.first?.action else {
                Issue.record("expected a failure, got \(results)")
                return
            }
            let message = failure.message
            #expect(failure.code == .tsig)
            #expect(message.contains("BADSIG"), "\(message)")
            #expect(results.first?.previous == nil)
            #expect(try await server.records(Self.alias) == [])
        }
    }

    @Test func aServerThatIsDownFailsAfterTheRetriesWithGrowingDelays() async throws {
        let port = try Peers.freeUDPAndTCPPort()
        let delays = Mutex<[Duration]>([])
        let publisher = DNSUpdatePublisher(
            settings: Self.settings(ServerAddress(host: "127.0.0.1", port: port), timeout: 0.2, retries: 2),
            firstRetryDelay: .milliseconds(500),
            sleep: { delay in delays.withLock { $0.append(delay) } })
        let start = ContinuousClock.now

        let results = await publisher.publish(Self.publication(["192.0.2.10"]), dryRun: false)
        #expect(results.count == 1)
        guard case .failed(let failure) = results.first?.action else {
            Issue.record("expected a failure, got \(results)")
            return
        }
        let message = failure.message
        #expect(failure.code == .timeout)
        // One count, lbd's own, and the server as host:port, not NIO's `[IPv4]host/ip:port`.
        #expect(message.contains("gave up after 3 attempts"), "\(message)")
        #expect(!message.contains("attempt(s)") && !message.contains("[IPv4]"), "\(message)")
        #expect(message.contains("127.0.0.1:\(port)"), "\(message)")
        #expect(delays.withLock { $0 } == [.milliseconds(500), .seconds(1)])
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test func neverMoreUpdatesInFlightThanTheLimit() async throws {
        let aliases = (0..<10).map { "a\($0).lb.example" }
        try await withServer(aliases: aliases) { (server) async throws in
            for limit in [2, 10] {
                let sender = CountingSender(hold: .milliseconds(200))
                let publisher = DNSUpdatePublisher(
                    settings: Self.settings(server.serverAddress, maxConcurrentUpdates: limit),
                    sender: sender,
                    firstRetryDelay: .zero, sleep: { _ in })
                let actions = await withTaskGroup(of: [PublicationResult.Action].self) { group in
                    for alias in aliases {
                        group.addTask {
                            let ttl = 60 + limit
                            let publication = Publication(
                                alias: alias, addresses: Self.addresses(["192.0.2.1"]), ttl: ttl)
                            return await publisher.publish(publication, dryRun: false).map(\.action)
                        }
                    }
                    return await group.reduce(into: []) { $0 += $1 }
                }
                #expect(actions == Array(repeating: .updated, count: 10))
                #expect(sender.updates == 10)
                // With the limit at 10 the same UPDATEs overlap further: the count can see it.
                if limit == 2 {
                    #expect(sender.mostInFlight == 2)
                } else {
                    #expect(sender.mostInFlight > 2)
                }
            }
        }
    }

    @Test func aCancelledWaiterLeavesTheQueueWithoutAPermit() async throws {
        let limiter = UpdateLimiter(limit: 1)
        let (entered, enter) = AsyncStream.makeStream(of: Void.self)
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await limiter.withPermit {
                enter.yield()
                for await _ in held {}
            }
        }
        var entries = entered.makeAsyncIterator()
        _ = await entries.next()
        let waiter = Task { try await limiter.withPermit { "waited" } }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }

        // A waiter left queued would be handed the holder's permit, and the last call would wait
        // forever.
        release.finish()
        try await holder.value
        #expect(try await limiter.withPermit { "free" } == "free")
    }
}
