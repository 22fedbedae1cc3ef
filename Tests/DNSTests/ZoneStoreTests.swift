import Testing

@testable import DNS

@Suite struct ZoneStoreTests {
    private func serial(_ zone: Zone?) -> UInt32? { zone?.soa.serial }

    @Test func theFirstVersionIsStoredAsGiven() {
        let store = ZoneStore()
        let stored = store.replace(ZoneFixtures.exampleOrg(serial: 7))
        #expect(stored.soa.serial == 7)
        #expect(serial(store.zone(name("example.org"))) == 7)
        #expect(store.history(name("example.org")).isEmpty)
    }

    @Test func aNewerSerialIsKept() {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg(serial: 7))
        let stored = store.replace(
            ZoneFixtures.exampleOrg(serial: 20, extra: [ZoneFixtures.a("new.example.org", 1)]))
        #expect(stored.soa.serial == 20)
    }

    @Test(arguments: [UInt32(7), 3, 0x8000_0007])
    func aSerialNotNewerIsBumped(newSerial: UInt32) {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg(serial: 7))
        let stored = store.replace(
            ZoneFixtures.exampleOrg(serial: newSerial, extra: [ZoneFixtures.a("new.example.org", 1)]))
        #expect(stored.soa.serial == 8)
        #expect(serial(store.zone(name("example.org"))) == 8)
        #expect(stored.recordSet(name("new.example.org"), .a).count == 1)
    }

    @Test func theBumpWrapsAroundAtTheTopOfTheSerialSpace() {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg(serial: 0xFFFF_FFFF))
        let stored = store.replace(
            ZoneFixtures.exampleOrg(serial: 1, extra: [ZoneFixtures.a("new.example.org", 1)]))
        // 1 is newer than 0xFFFFFFFF in RFC 1982 arithmetic: kept.
        #expect(stored.soa.serial == 1)
        let again = store.replace(ZoneFixtures.exampleOrg(serial: 1))
        #expect(again.soa.serial == 2)
    }

    @Test func theSameContentIsNoChange() {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg(serial: 7))
        let stored = store.replace(ZoneFixtures.exampleOrg(serial: 7))
        #expect(stored.soa.serial == 7)
        #expect(store.history(name("example.org")).isEmpty)
    }

    @Test func replacingOneZoneLeavesTheOthers() {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg(serial: 7))
        store.replace(ZoneFixtures.subExampleOrg())
        let before = store.zone(name("sub.example.org"))
        store.replace(ZoneFixtures.exampleOrg(serial: 9, extra: [ZoneFixtures.a("new.example.org", 1)]))
        #expect(store.zone(name("sub.example.org")) == before)
        #expect(store.zones.count == 2)
        #expect(store.remove(name("sub.example.org")))
        #expect(store.zones.keys.map(\.description) == ["example.org."])
    }

    @Test func differencesAreRecordedAndBounded() throws {
        let store = ZoneStore(historyLimit: 4)
        store.replace(ZoneFixtures.exampleOrg(serial: 1))
        for index in 0..<10 {
            store.replace(
                ZoneFixtures.exampleOrg(serial: 1, extra: [ZoneFixtures.a("h\(index).example.org", 1)]))
        }
        let history = store.history(name("example.org"))
        #expect(history.count == 4)
        #expect(history.map(\.newSerial) == [8, 9, 10, 11])
        #expect(zip(history, history.dropFirst()).allSatisfy { $0.newSerial == $1.oldSerial })
        let last = try #require(history.last)
        #expect(last.removed == [ZoneFixtures.a("h8.example.org", 1)])
        #expect(last.added == [ZoneFixtures.a("h9.example.org", 1)])
    }

    @Test func readersSeeWholeVersionsDuringConcurrentReplaces() async {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg(serial: 1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<50 {
                    store.replace(
                        ZoneFixtures.exampleOrg(
                            serial: 1, extra: [ZoneFixtures.a("h.example.org", UInt8(index))]))
                }
            }
            group.addTask {
                for _ in 0..<50 {
                    let zone = store.zone(name("example.org"))
                    // Every version has exactly one extra address except the first.
                    #expect((zone?.recordSet(name("h.example.org"), .a).count ?? 0) <= 1)
                }
            }
        }
        #expect(store.zone(name("example.org"))?.soa.serial == 51)
    }
}
