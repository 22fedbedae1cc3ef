import DNS
import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// Fencing (`ha.mode: lease`) against a real BIND 9 with an internal and an external view: the
/// lease holder moves `_lbd-fence.<zone>` by compare-and-swap, and BIND itself refuses the
/// UPDATEs of an instance whose token is no longer the fence's.
@Suite(.serialized)
struct DNSFencingBindTests {
    static var available: Bool { Peers.available("named", "dig") }

    static let alias = "www.lb.example"
    static let zone = try! DomainName(parsing: "www.lb.example.")
    static let fence = try! DomainName(parsing: "_lbd-fence.www.lb.example.")
    /// The fence's name as `TwoViewNamed.dig` takes it, without the trailing dot.
    static let fenceName = "_lbd-fence.www.lb.example"

    static func makeKey(_ name: String) -> DNS.TSIGKey {
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return DNS.TSIGKey(name: try! DomainName(parsing: name), algorithm: .hmacSHA256, secret: secret)
    }

    /// One lbd instance's publisher, writing to both views.
    static func publisher(
        _ named: TwoViewNamed, internalKey: DNS.TSIGKey, externalKey: DNS.TSIGKey,
        sender: (any DNSRequestSender)? = nil
    ) -> DNSUpdatePublisher {
        let settings = DNSSettings(
            server: named.serverAddress, timeout: 2, retries: 1, internalView: DNSView(key: internalKey),
            externalView: DNSView(key: externalKey))
        return DNSUpdatePublisher(
            settings: settings, sender: sender ?? DNSClient(), firstRetryDelay: .zero, sleep: { _ in })
    }

    static func publication(_ address: String, token: Int64) -> Publication {
        Publication(
            alias: alias, addresses: [NodeAddress(address)!], ttl: 60, external: true, fencingToken: token)
    }

    static func failures(_ results: [PublicationResult]) -> [PublishingFailure] {
        results.compactMap { result in
            guard case .failed(let failure) = result.action else { return nil }
            return failure
        }
    }

    /// Sets the fence as an operator would with nsupdate, bypassing every publisher.
    static func setFence(_ token: Int64, _ named: TwoViewNamed, key: DNS.TSIGKey) async throws {
        var update = DNSUpdate(zone: zone)
        update.deleteRRset(fence, type: .txt)
        update.add(fence, ttl: 0, data: DNSFence.data(token))
        _ = try await DNSClient().update(update.message, server: named.address, key: key)
    }

    @Test func aNewLeaseHolderMovesTheFenceInBothViewsAndTheDeposedOneIsRefused() async throws {
        guard Self.available else { return }
        let (internalKey, externalKey) = (Self.makeKey("lb-internal."), Self.makeKey("lb-external."))
        let named = try await TwoViewNamed(
            aliases: [Self.alias], internalKey: internalKey, externalKey: externalKey)
        defer { named.stop() }
        let keys = [internalKey, externalKey]

        // The first holder, token 1: the fence is created and the alias published, in each view.
        let first = Self.publisher(named, internalKey: internalKey, externalKey: externalKey)
        let published = await first.publish(Self.publication("192.0.2.10", token: 1), dryRun: false)
        #expect(published.map(\.action) == [.updated, .updated])
        for key in keys {
            #expect(try named.dig(Self.fenceName, "TXT", key: key) == ["\"1\""])
            #expect(try named.dig(Self.alias, "A", key: key) == ["192.0.2.10"])
        }

        // The takeover, token 2: the fence moves by compare-and-swap, the alias follows.
        let second = Self.publisher(named, internalKey: internalKey, externalKey: externalKey)
        let takenOver = await second.publish(Self.publication("192.0.2.20", token: 2), dryRun: false)
        #expect(takenOver.map(\.action) == [.updated, .updated])
        for key in keys {
            #expect(try named.dig(Self.fenceName, "TXT", key: key) == ["\"2\""])
            #expect(try named.dig(Self.alias, "A", key: key) == ["192.0.2.20"])
        }

        // The zombie still believes it holds token 1: its UPDATE carries the old fence, and BIND
        // refuses it in both views.
        let zombie = await first.publish(Self.publication("192.0.2.66", token: 1), dryRun: false)
        let refusals = Self.failures(zombie)
        #expect(refusals.count == 2)
        for refusal in refusals {
            #expect(refusal.code == .fenced)
            #expect(refusal.message.contains("NXRRSET"), "\(refusal)")
            #expect(refusal.message.contains("token 1") && refusal.message.contains("\"2\""), "\(refusal)")
        }
        for key in keys {
            #expect(try named.dig(Self.alias, "A", key: key) == ["192.0.2.20"])
            #expect(try named.dig(Self.fenceName, "TXT", key: key) == ["\"2\""])
        }

        // A zombie starting afresh reads the fence first and sends no UPDATE at all.
        let sender = CountingSender(hold: .zero)
        let fresh = Self.publisher(named, internalKey: internalKey, externalKey: externalKey, sender: sender)
        let deposed = Self.failures(
            await fresh.publish(Self.publication("192.0.2.66", token: 1), dryRun: false))
        #expect(deposed.count == 2)
        for failure in deposed {
            #expect(failure.code == .fenced)
            #expect(
                failure.message.contains("token 2") && failure.message.contains("this instance's 1"),
                "\(failure)")
        }
        #expect(sender.updates == 0)
        #expect(try named.dig(Self.alias, "A", key: internalKey) == ["192.0.2.20"])
    }

    @Test func theSameTokenAgainChangesNothing() async throws {
        guard Self.available else { return }
        let (internalKey, externalKey) = (Self.makeKey("lb-internal."), Self.makeKey("lb-external."))
        let named = try await TwoViewNamed(
            aliases: [Self.alias], internalKey: internalKey, externalKey: externalKey)
        defer { named.stop() }
        let publication = Self.publication("192.0.2.10", token: 7)
        _ = await Self.publisher(named, internalKey: internalKey, externalKey: externalKey).publish(
            publication, dryRun: false)

        // A restarted holder with the same token: the fence holds it already, the records are
        // right, nothing is sent.
        let sender = CountingSender(hold: .zero)
        let restarted = Self.publisher(
            named, internalKey: internalKey, externalKey: externalKey, sender: sender)
        let results = await restarted.publish(publication, dryRun: false)
        #expect(results.map(\.action) == [.unchanged, .unchanged])
        #expect(results.map(\.previous) == [[NodeAddress("192.0.2.10")!], [NodeAddress("192.0.2.10")!]])
        #expect(sender.updates == 0)
        #expect(try named.dig(Self.fenceName, "TXT", key: internalKey) == ["\"7\""])
    }

    @Test func bindRefusesAnUpdateWhoseFenceIsNoLongerTheTokenItCarries() async throws {
        guard Self.available else { return }
        let (internalKey, externalKey) = (Self.makeKey("lb-internal."), Self.makeKey("lb-external."))
        let named = try await TwoViewNamed(
            aliases: [Self.alias], internalKey: internalKey, externalKey: externalKey)
        defer { named.stop() }
        try await Self.setFence(9, named, key: internalKey)

        // The UPDATE a holder of token 8 would send, straight to BIND, no check of ours before it.
        var update = DNSUpdatePublisher.replacement(
            of: Self.zone, by: PublishedRecords(Self.publication("192.0.2.66", token: 8)))
        DNSFence.requireHeld(8, at: Self.fence, in: &update)
        let refusal = await #expect(throws: DNSClientError.self) {
            _ = try await DNSClient().update(update.message, server: named.address, key: internalKey)
        }
        #expect(refusal?.responseCode == .nxRRSet)
        #expect(try named.dig(Self.alias, "A", key: internalKey) == ["192.0.2.1"])

        // The same UPDATE with the fence's token is taken.
        var held = DNSUpdatePublisher.replacement(
            of: Self.zone, by: PublishedRecords(Self.publication("192.0.2.90", token: 9)))
        DNSFence.requireHeld(9, at: Self.fence, in: &held)
        _ = try await DNSClient().update(held.message, server: named.address, key: internalKey)
        #expect(try named.dig(Self.alias, "A", key: internalKey) == ["192.0.2.90"])
        // The fence is a name of its own: the apex keeps only the alias's addresses.
        #expect(try named.dig(Self.alias, "TXT", key: internalKey) == [])
    }
}
