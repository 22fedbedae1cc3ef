import DNS
import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// `DNSUpdatePublisher` against a real BIND 9 with an internal and an external view, each
/// selected by the TSIG key a request is signed with, as golbd's servers are.
@Suite(.serialized)
struct DNSUpdatePublisherBindTests {
    static var available: Bool { Peers.available("named", "dig") }

    static let externalAlias = "www.lb.example"
    static let internalAlias = "intranet.lb.example"

    /// A key with a random secret, as `tsig-keygen` would make.
    static func makeKey(_ name: String, _ algorithm: TSIGAlgorithm) -> DNS.TSIGKey {
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return DNS.TSIGKey(name: try! DomainName(parsing: name), algorithm: algorithm, secret: secret)
    }

    static func dnsKey(_ key: DNS.TSIGKey) -> DNS.TSIGKey { key }

    /// What `view`'s key reads at `alias` through our client: a signed query selects the view.
    static func read(_ alias: String, _ type: RecordType, key: DNS.TSIGKey, named: TwoViewNamed) async throws
        -> [String]
    {
        let query = DNSMessage(
            id: 0, questions: [Question(name: try DomainName(parsing: alias + "."), type: type)])
        let response = try await DNSClient().update(query, server: named.address, key: key)
        return response.message.answers.compactMap { record in
            switch record.data {
            case .a(let address): return address.description
            case .aaaa(let address): return address.description
            default: return nil
            }
        }.sorted()
    }

    @Test func anExternalAliasIsUpdatedInBothViewsAndAnInternalOneOnlyInTheInternalView() async throws {
        guard Self.available else { return }
        // golbd's algorithm for the internal key, a current one for the external key.
        let internalKey = Self.makeKey("lb-internal.", .hmacMD5)
        let externalKey = Self.makeKey("lb-external.", .hmacSHA256)
        let (internalDNSKey, externalDNSKey) = (Self.dnsKey(internalKey), Self.dnsKey(externalKey))
        let named = try await TwoViewNamed(
            aliases: [Self.externalAlias, Self.internalAlias], internalKey: internalDNSKey,
            externalKey: externalDNSKey)
        defer { named.stop() }
        let publisher = DNSUpdatePublisher(
            settings: DNSSettings(
                server: named.serverAddress, timeout: 2, retries: 1, internalView: DNSView(key: internalKey),
                externalView: DNSView(key: externalKey)),
            sleep: { _ in })

        let external = await publisher.publish(
            Publication(
                alias: Self.externalAlias,
                addresses: [NodeAddress("192.0.2.10")!, NodeAddress("2001:db8::10")!],
                ttl: 120, external: true),
            dryRun: false)
        let original = [NodeAddress("192.0.2.1")!]
        #expect(
            external == [
                PublicationResult(
                    target: "internal view", previous: original, previousTTL: 60, action: .updated),
                PublicationResult(
                    target: "external view", previous: original, previousTTL: 60, action: .updated),
            ])

        let internalOnly = await publisher.publish(
            Publication(alias: Self.internalAlias, addresses: [NodeAddress("192.0.2.20")!], ttl: 60),
            dryRun: false)
        #expect(
            internalOnly == [
                PublicationResult(
                    target: "internal view", previous: original, previousTTL: 60, action: .updated)
            ])

        for key in [internalDNSKey, externalDNSKey] {
            #expect(try named.dig(Self.externalAlias, "A", key: key) == ["192.0.2.10"])
            #expect(try named.dig(Self.externalAlias, "AAAA", key: key) == ["2001:db8::10"])
            #expect(try await Self.read(Self.externalAlias, .a, key: key, named: named) == ["192.0.2.10"])
        }
        #expect(try named.dig(Self.internalAlias, "A", key: internalDNSKey) == ["192.0.2.20"])
        #expect(
            try await Self.read(Self.internalAlias, .a, key: internalDNSKey, named: named) == ["192.0.2.20"])
        #expect(try named.dig(Self.internalAlias, "A", key: externalDNSKey) == ["192.0.2.1"])
        #expect(
            try await Self.read(Self.internalAlias, .a, key: externalDNSKey, named: named) == ["192.0.2.1"])

        // Each view is read with its own key: both now show the publication.
        let again = await publisher.publish(
            Publication(
                alias: Self.externalAlias,
                addresses: [NodeAddress("2001:db8::10")!, NodeAddress("192.0.2.10")!],
                ttl: 120, external: true),
            dryRun: false)
        #expect(again.map(\.action) == [.unchanged, .unchanged])
    }

    @Test func onlyTheViewThatDiffersIsUpdated() async throws {
        guard Self.available else { return }
        let internalKey = Self.makeKey("lb-internal.", .hmacMD5)
        let externalKey = Self.makeKey("lb-external.", .hmacSHA256)
        let named = try await TwoViewNamed(
            aliases: [Self.externalAlias], internalKey: Self.dnsKey(internalKey),
            externalKey: Self.dnsKey(externalKey))
        defer { named.stop() }
        let settings = DNSSettings(
            server: named.serverAddress, internalView: DNSView(key: internalKey),
            externalView: DNSView(key: externalKey))
        let publisher = DNSUpdatePublisher(settings: settings, sleep: { _ in })
        let addresses = [NodeAddress("192.0.2.10")!]

        // The alias first published as internal only, then made external: only the external
        // view still shows the zone file's address.
        _ = await publisher.publish(
            Publication(alias: Self.externalAlias, addresses: addresses, ttl: 60), dryRun: false)
        let results = await publisher.publish(
            Publication(alias: Self.externalAlias, addresses: addresses, ttl: 60, external: true),
            dryRun: false)
        #expect(results.map(\.action) == [.unchanged, .updated])
        #expect(try named.dig(Self.externalAlias, "A", key: Self.dnsKey(externalKey)) == ["192.0.2.10"])
    }
}
