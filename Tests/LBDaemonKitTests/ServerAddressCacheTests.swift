import DNS
import Foundation
import LBCore
import LBTestSupport
import NIOCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// The DNS server's name is looked up once, not at each publication; again only when due, and
/// every change or failed renewal is logged.
@Suite struct ServerAddressCacheTests {
    /// A resolver that counts lookups and answers from a table the test changes.
    final class FakeResolver: Sendable {
        let answers = Mutex<[String: [SocketAddress]]>([:])
        let failing = Mutex(false)
        private let counter = Mutex(0)
        var lookups: Int { counter.withLock { $0 } }

        var resolve: ServerAddressCache.Resolve {
            { host, _ in
                self.counter.withLock { $0 += 1 }
                // Long enough for concurrent callers to pile up on one lookup.
                try await Task.sleep(for: .milliseconds(50))
                if self.failing.withLock({ $0 }) {
                    throw HostResolver.Failure(host: host, reason: "no network")
                }
                return self.answers.withLock { $0[host] ?? [] }
            }
        }
    }

    final class TestClock: Sendable {
        private let current = Mutex(ContinuousClock.now)
        var now: @Sendable () -> ContinuousClock.Instant { { self.current.withLock { $0 } } }
        func advance(_ duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
    }

    static let server = ServerAddress(host: "dns.example.org", port: 53)
    static let first = try! SocketAddress(ipAddress: "192.0.2.53", port: 53)
    static let second = try! SocketAddress(ipAddress: "192.0.2.54", port: 53)

    func makeCache(_ resolver: FakeResolver, _ clock: TestClock, _ log: CapturedLog) -> ServerAddressCache {
        ServerAddressCache(
            resolve: resolver.resolve, now: clock.now, refreshInterval: .seconds(3600),
            retryInterval: .seconds(30), logger: log.logger)
    }

    @Test func aNameIsLookedUpOnceForManyPublications() async throws {
        let resolver = FakeResolver()
        resolver.answers.withLock { $0["dns.example.org"] = [Self.first] }
        let log = CapturedLog()
        let cache = makeCache(resolver, TestClock(), log)
        let addresses = try await withThrowingTaskGroup(of: SocketAddress.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.address(of: Self.server) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(addresses == Array(repeating: Self.first, count: 20))
        #expect(try await cache.address(of: Self.server) == Self.first)
        #expect(resolver.lookups == 1)
        #expect(log.contains(.info, "resolved the DNS server"))
    }

    @Test func anAddressLiteralIsNeverLookedUp() async throws {
        let resolver = FakeResolver()
        let cache = makeCache(resolver, TestClock(), CapturedLog())
        let address = try await cache.address(of: ServerAddress(host: "192.0.2.7", port: 5353))
        #expect(address == (try SocketAddress(ipAddress: "192.0.2.7", port: 5353)))
        #expect(resolver.lookups == 0)
    }

    @Test func aSuspectAddressIsLookedUpAgainOncePerRetryInterval() async throws {
        let resolver = FakeResolver()
        resolver.answers.withLock { $0["dns.example.org"] = [Self.first] }
        let clock = TestClock()
        let log = CapturedLog()
        let cache = makeCache(resolver, clock, log)
        _ = try await cache.address(of: Self.server)
        resolver.answers.withLock { $0["dns.example.org"] = [Self.second] }

        await cache.suspect(Self.server)
        #expect(try await cache.address(of: Self.server) == Self.first)
        #expect(resolver.lookups == 1)

        clock.advance(.seconds(31))
        #expect(try await cache.address(of: Self.server) == Self.second)
        #expect(resolver.lookups == 2)
        #expect(log.contains(.notice, "the DNS server's address changed"))
        // Renewed: no longer suspect.
        clock.advance(.seconds(31))
        #expect(try await cache.address(of: Self.server) == Self.second)
        #expect(resolver.lookups == 2)
    }

    @Test func anAddressIsRenewedAfterTheRefreshInterval() async throws {
        let resolver = FakeResolver()
        resolver.answers.withLock { $0["dns.example.org"] = [Self.first] }
        let clock = TestClock()
        let cache = makeCache(resolver, clock, CapturedLog())
        _ = try await cache.address(of: Self.server)
        clock.advance(.seconds(3599))
        _ = try await cache.address(of: Self.server)
        #expect(resolver.lookups == 1)
        clock.advance(.seconds(2))
        _ = try await cache.address(of: Self.server)
        #expect(resolver.lookups == 2)
    }

    @Test func aFailedRenewalKeepsTheKnownAddressAndSaysSo() async throws {
        let resolver = FakeResolver()
        resolver.answers.withLock { $0["dns.example.org"] = [Self.first] }
        let clock = TestClock()
        let log = CapturedLog()
        let cache = makeCache(resolver, clock, log)
        _ = try await cache.address(of: Self.server)
        resolver.failing.withLock { $0 = true }
        clock.advance(.seconds(3601))
        #expect(try await cache.address(of: Self.server) == Self.first)
        #expect(log.contains(.warning, "cannot resolve the DNS server again"))
        // The failed attempt counts as a try: no new lookup at each publication.
        #expect(try await cache.address(of: Self.server) == Self.first)
        #expect(resolver.lookups == 2)
    }

    @Test func aNameThatNeverResolvedIsAPublishingFailure() async {
        let resolver = FakeResolver()
        resolver.failing.withLock { $0 = true }
        let cache = makeCache(resolver, TestClock(), CapturedLog())
        await #expect(throws: PublishingFailure.self) { _ = try await cache.address(of: Self.server) }
        let empty = makeCache(FakeResolver(), TestClock(), CapturedLog())
        do {
            _ = try await empty.address(of: Self.server)
            Issue.record("an empty answer gave an address")
        } catch {
            #expect(error.description.contains("dns.example.org has no address"), "\(error)")
        }
    }

    // MARK: - Through the publisher

    @Test func thePublisherLooksTheServerUpOnceAndAgainAfterItStopsAnswering() async throws {
        let key = DNS.TSIGKey(
            name: try DomainName(parsing: "lb-internal."), algorithm: .hmacSHA256,
            secret: Array(repeating: 0x11, count: 32))
        let server = try await EmbeddedUpdateServer(aliases: ["www.lb.example"], keys: [key])
        let resolver = FakeResolver()
        let live = try SocketAddress(ipAddress: "127.0.0.1", port: server.serverAddress.port)
        resolver.answers.withLock { $0["dns.test"] = [live] }
        let clock = TestClock()
        let log = CapturedLog()
        let publisher = DNSUpdatePublisher(
            settings: DNSSettings(
                server: ServerAddress(host: "dns.test", port: server.serverAddress.port), timeout: 0.3,
                retries: 0, internalView: DNSView(key: key)),
            aliases: ["www.lb.example"], sender: DNSClient(), servers: makeCache(resolver, clock, log),
            firstRetryDelay: .zero, sleep: { _ in })
        for ttl in 60..<63 {
            let publication = Publication(
                alias: "www.lb.example", addresses: [NodeAddress("192.0.2.1")!], ttl: ttl)
            #expect(await publisher.publish(publication, dryRun: false).map(\.action) == [.updated])
        }
        #expect(resolver.lookups == 1)
        await server.stop()

        // The name now points elsewhere; the old address no longer answers.
        let dead = try SocketAddress(ipAddress: "127.0.0.1", port: try Peers.freeUDPAndTCPPort())
        resolver.answers.withLock { $0["dns.test"] = [dead] }
        let publication = Publication(
            alias: "www.lb.example", addresses: [NodeAddress("192.0.2.2")!], ttl: 60)
        guard case .failed = await publisher.publish(publication, dryRun: false).first?.action else {
            Issue.record("a stopped server took the publication")
            return
        }
        #expect(resolver.lookups == 1)
        _ = await publisher.publish(publication, dryRun: false)
        #expect(resolver.lookups == 1, "looked up again before the retry interval")
        clock.advance(.seconds(31))
        _ = await publisher.publish(publication, dryRun: false)
        #expect(resolver.lookups == 2)
        #expect(log.contains(.notice, "the DNS server's address changed"))
    }
}
