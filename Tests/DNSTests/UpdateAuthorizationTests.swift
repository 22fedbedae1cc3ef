import NIOCore
import Testing

@testable import DNS

/// Which signed UPDATEs the server applies: only those signed with an update key allowed for
/// the zone they name.
@Suite struct UpdateAuthorizationTests {
    private let clock = TSIGClock.fixed(1_800_000_000)
    private let wide = TSIGKey(name: name("wide"), algorithm: .hmacSHA256, secret: Array(1...32))
    private let narrow = TSIGKey(name: name("narrow"), algorithm: .hmacSHA512, secret: Array(33...96))
    private let transfer = TSIGKey(name: name("xfr"), algorithm: .hmacSHA256, secret: Array(2...33))

    private func setUp() -> (ZoneStore, DNSQueryProcessor) {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        store.replace(ZoneFixtures.subExampleOrg())
        let configuration = DNSServerConfiguration(
            transferKeys: [transfer], updateKeys: [wide, narrow],
            updateKeyZones: [narrow.name: [name("sub.example.org")]])
        let processor = DNSQueryProcessor(
            store: store, responder: AuthoritativeResponder(), configuration: configuration, clock: clock)
        return (store, processor)
    }

    /// Sends an UPDATE adding a TXT record at `zone`'s apex, signed with `key`, and returns the
    /// response code of the verified answer.
    private func update(_ zone: String, key: TSIGKey?, processor: DNSQueryProcessor) throws -> ResponseCode {
        var update = DNSUpdate(zone: name(zone))
        update.add(name(zone), ttl: 60, data: .text("changed"))
        var message = update.message
        message.id = 77
        guard let key else {
            let answer = try #require(
                processor.processStream(try message.encode(), source: address("127.0.0.1")).first)
            return try DNSMessage(decoding: answer).responseCode
        }
        let (bytes, mac) = try TSIGSigner(key: key, clock: clock).sign(message)
        let answer = try #require(processor.processStream(bytes, source: address("127.0.0.1")).first)
        return try TSIGVerifier(keys: [key], clock: clock).verify(answer, requestMAC: mac).message
            .responseCode
    }

    @Test func aKeyWithoutZonesMayUpdateEveryZone() throws {
        let (store, processor) = setUp()
        #expect(try update("example.org", key: wide, processor: processor) == .noError)
        #expect(try update("sub.example.org", key: wide, processor: processor) == .noError)
        #expect(store.zone(name("example.org"))?.soa.serial == 101)
    }

    @Test func aKeyLimitedToZonesIsRefusedElsewhere() throws {
        let (store, processor) = setUp()
        #expect(try update("example.org", key: narrow, processor: processor) == .refused)
        #expect(store.zone(name("example.org"))?.soa.serial == 100)
        #expect(try update("sub.example.org", key: narrow, processor: processor) == .noError)
    }

    @Test func transferKeysAndUnsignedUpdatesAreRefused() throws {
        let (store, processor) = setUp()
        #expect(try update("example.org", key: transfer, processor: processor) == .refused)
        #expect(try update("example.org", key: nil, processor: processor) == .refused)
        #expect(store.history(name("example.org")).isEmpty)
    }

    @Test func anUpdateOfAZoneNotServedIsNOTAUTH() throws {
        let (_, processor) = setUp()
        #expect(try update("example.net", key: wide, processor: processor) == .notAuth)
    }
}

/// A client address for the query processor.
private func address(_ ip: String) -> SocketAddress {
    try! SocketAddress(ipAddress: ip, port: 5300)
}
