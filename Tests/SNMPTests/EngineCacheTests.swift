import NIOCore
import Testing

@testable import SNMP

/// The client's SNMPv3 engine cache: compact inside, it must hand back exactly what it was
/// given, per address and port, and keep keys only for the user they belong to.
struct EngineCacheTests {
    let user = USMUser(
        name: "loadbalancing", authentication: .init(.sha256, password: "engine-cache-auth"),
        privacy: .init(.aes128, password: "engine-cache-priv"))
    let keys = LocalizedKeys(authentication: Array(1...32), privacy: Array(101...132))
    let learnedAt = ContinuousClock.now

    func entry(id: [UInt8] = [0x80, 0, 0x1f, 0x88, 4, 0x31], boots: Int32 = 3, time: Int32 = 1_000)
        -> EngineCache.Entry
    {
        EngineCache.Entry(id: id, boots: boots, time: time, learnedAt: learnedAt, localized: (user, keys))
    }

    func expectSame(_ found: EngineCache.Entry?, _ stored: EngineCache.Entry) {
        #expect(found?.id == stored.id)
        #expect(found?.boots == stored.boots)
        #expect(found?.time == stored.time)
        #expect(found?.learnedAt == stored.learnedAt)
        #expect(found?.localized?.user == stored.localized?.user)
        #expect(found?.localized?.keys == stored.localized?.keys)
    }

    @Test func returnsTheStoredEntryForIPv4AndIPv6Addresses() throws {
        let cache = EngineCache()
        let v4 = try SocketAddress(ipAddress: "192.0.2.7", port: 161)
        let v6 = try SocketAddress(ipAddress: "2001:db8::7", port: 161)
        let first = entry()
        let second = entry(id: Array(0...31), boots: 9, time: 77)
        cache.store(first, for: v4)
        cache.store(second, for: v6)
        expectSame(cache.entry(for: v4), first)
        expectSame(cache.entry(for: v6), second)
        // Another object for the same address finds the same entry.
        expectSame(cache.entry(for: try SocketAddress(ipAddress: "192.0.2.7", port: 161)), first)
    }

    @Test func distinguishesPortsAddressesAndFamilies() throws {
        let cache = EngineCache()
        cache.store(entry(), for: try SocketAddress(ipAddress: "192.0.2.7", port: 161))
        #expect(cache.entry(for: try SocketAddress(ipAddress: "192.0.2.7", port: 1161)) == nil)
        #expect(cache.entry(for: try SocketAddress(ipAddress: "192.0.2.8", port: 161)) == nil)
        #expect(cache.entry(for: try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 161)) == nil)
        cache.store(entry(), for: try SocketAddress(ipAddress: "2001:db8::7", port: 161))
        #expect(cache.entry(for: try SocketAddress(ipAddress: "2001:db8::7", port: 162)) == nil)
        #expect(cache.entry(for: try SocketAddress(ipAddress: "2001:db8::8", port: 161)) == nil)
        #expect(cache.entry(for: try SocketAddress(ipAddress: "2001:db8:0:0:1::7", port: 161)) == nil)
    }

    @Test func forgetsOneAddressOnly() throws {
        let cache = EngineCache()
        let (a, b) = (
            try SocketAddress(ipAddress: "192.0.2.7", port: 161),
            try SocketAddress(ipAddress: "::1", port: 161)
        )
        cache.store(entry(), for: a)
        cache.store(entry(), for: b)
        cache.forget(a)
        #expect(cache.entry(for: a) == nil)
        #expect(cache.entry(for: b) != nil)
        cache.forget(b)
        #expect(cache.entry(for: b) == nil)
    }

    @Test func replacesAnEngineThatRestartedOrChanged() throws {
        let cache = EngineCache()
        let address = try SocketAddress(ipAddress: "192.0.2.7", port: 161)
        cache.store(entry(), for: address)
        // An answer refreshes boots and time with the same keys.
        let refreshed = entry(boots: 4, time: 5)
        cache.store(refreshed, for: address)
        expectSame(cache.entry(for: address), refreshed)
        // A rediscovered engine: another ID, no keys yet.
        let rediscovered = EngineCache.Entry(id: [0x80, 0, 0, 1, 2], boots: 1, time: 0, learnedAt: learnedAt)
        cache.store(rediscovered, for: address)
        expectSame(cache.entry(for: address), rediscovered)
        #expect(cache.entry(for: address)?.keys(of: user) == nil)
    }

    @Test func rejectsAnotherUsersKeys() throws {
        let cache = EngineCache()
        let address = try SocketAddress(ipAddress: "192.0.2.7", port: 161)
        cache.store(entry(), for: address)
        let found = try #require(cache.entry(for: address))
        #expect(found.keys(of: user) == keys)
        var otherPassword = user
        otherPassword.authentication?.password = "another-password"
        #expect(found.keys(of: otherPassword) == nil)
        #expect(found.keys(of: USMUser(name: "loadbalancing")) == nil)
        // The other user's keys, stored, replace the first user's.
        let theirs = LocalizedKeys(authentication: Array(repeating: 7, count: 32), privacy: nil)
        var stored = found
        stored.localized = (otherPassword, theirs)
        cache.store(stored, for: address)
        #expect(cache.entry(for: address)?.keys(of: otherPassword) == theirs)
        #expect(cache.entry(for: address)?.keys(of: user) == nil)
    }

    @Test func keepsTheEmptyKeysOfAUserWithoutAuthentication() throws {
        let cache = EngineCache()
        let address = try SocketAddress(ipAddress: "192.0.2.7", port: 161)
        let plain = USMUser(name: "public-reader")
        var stored = entry()
        stored.localized = (plain, LocalizedKeys())
        cache.store(stored, for: address)
        #expect(cache.entry(for: address)?.keys(of: plain) == LocalizedKeys())
    }

    @Test func keepsEnginesWithoutKeysPastItsUsers() throws {
        let cache = EngineCache()
        let address = try SocketAddress(ipAddress: "192.0.2.7", port: 161)
        cache.store(entry(), for: address)
        for index in 1...EngineCache.maximumUsers {
            var stored = entry(time: Int32(index))
            let someone = USMUser(name: "user\(index)")
            stored.localized = (someone, LocalizedKeys())
            cache.store(stored, for: address)
            let found = try #require(cache.entry(for: address))
            #expect(found.time == Int32(index))
            #expect(found.keys(of: someone) == (index < EngineCache.maximumUsers ? LocalizedKeys() : nil))
        }
        // A user known before the table filled keeps theirs.
        cache.store(entry(), for: address)
        #expect(cache.entry(for: address)?.keys(of: user) == keys)
    }

    @Test func estimatesTheEngineTimeFromWholeSecondsElapsed() throws {
        let cache = EngineCache()
        let address = try SocketAddress(ipAddress: "192.0.2.7", port: 161)
        // Learned before the cache was made, and a fraction of a second into a second.
        let learned = ContinuousClock.now.advanced(by: .seconds(-30) + .milliseconds(250))
        cache.store(
            EngineCache.Entry(id: [1, 2, 3, 4, 5], boots: 2, time: 100, learnedAt: learned), for: address)
        let found = try #require(cache.entry(for: address))
        #expect(found.learnedAt == learned)
        let estimate = found.estimate(now: learned.advanced(by: .milliseconds(2_999)))
        #expect(estimate.id == [1, 2, 3, 4, 5])
        #expect(estimate.boots == 2)
        #expect(estimate.time == 102)
        // RFC 3414 engine time never passes 2^31 - 1.
        #expect(found.estimate(now: learned.advanced(by: .seconds(Int64(Int32.max)))).time == Int32.max)
    }

    @Test func keepsNothingForANonIPAddress() throws {
        let cache = EngineCache()
        let address = try SocketAddress(unixDomainSocketPath: "/tmp/agent.sock")
        cache.store(entry(), for: address)
        #expect(cache.entry(for: address) == nil)
        cache.forget(address)
    }
}
