import Testing

@testable import DNS

@Suite struct ZoneUpdateProcessorTests {
    private let zone = ZoneFixtures.exampleOrg()
    private let origin = name("example.org")

    private func run(_ build: (inout DNSUpdate) -> Void) -> Result<Zone, UpdateFailure> {
        var update = DNSUpdate(zone: origin)
        build(&update)
        return ZoneUpdateProcessor.apply(update.message, to: zone)
    }

    private func failure(_ build: (inout DNSUpdate) -> Void) -> ResponseCode? {
        if case .failure(let failure) = run(build) { return failure.code }
        return nil
    }

    private func updated(_ build: (inout DNSUpdate) -> Void) throws -> Zone {
        try run(build).get()
    }

    private func address(_ last: UInt8) -> RecordData { .a(IPv4Address(192, 0, 2, last)) }

    // MARK: Zone section

    @Test func zoneSectionMustBeOneSOAQuestion() throws {
        let good = DNSUpdate(zone: origin).message
        #expect(try ZoneUpdateProcessor.zoneName(of: good).get() == origin)
        var two = good
        two.questions.append(Question(name: name("sub.example.org"), type: .soa, class: .in))
        #expect(throws: UpdateFailure(.formatError)) { try ZoneUpdateProcessor.zoneName(of: two).get() }
        var wrongType = good
        wrongType.questions = [Question(name: origin, type: .a, class: .in)]
        #expect(throws: UpdateFailure(.formatError)) { try ZoneUpdateProcessor.zoneName(of: wrongType).get() }
        var none = good
        none.questions = []
        #expect(throws: UpdateFailure(.formatError)) { try ZoneUpdateProcessor.zoneName(of: none).get() }
    }

    // MARK: Prerequisites

    @Test func rrsetExistsPrerequisite() {
        #expect(failure { $0.requireRRsetExists(name("www.example.org"), type: .a) } == nil)
        #expect(failure { $0.requireRRsetExists(name("www.example.org"), type: .txt) } == .nxRRSet)
    }

    @Test func rrsetEqualsPrerequisite() {
        #expect(
            failure {
                $0.requireRRset(name("www.example.org"), equals: [address(3), address(1), address(2)])
            } == nil)
        #expect(failure { $0.requireRRset(name("www.example.org"), equals: [address(1)]) } == .nxRRSet)
        #expect(failure { $0.requireRRset(name("new.example.org"), equals: [address(1)]) } == .nxRRSet)
    }

    @Test func rrsetDoesNotExistPrerequisite() {
        #expect(failure { $0.requireRRsetDoesNotExist(name("www.example.org"), type: .txt) } == nil)
        #expect(failure { $0.requireRRsetDoesNotExist(name("www.example.org"), type: .a) } == .yxRRSet)
    }

    @Test func nameInUsePrerequisite() {
        #expect(failure { $0.requireNameInUse(name("www.example.org")) } == nil)
        #expect(failure { $0.requireNameInUse(name("example.org")) } == nil)
        #expect(failure { $0.requireNameInUse(name("new.example.org")) } == .nameError)
    }

    @Test func nameNotInUsePrerequisite() {
        #expect(failure { $0.requireNameNotInUse(name("new.example.org")) } == nil)
        #expect(failure { $0.requireNameNotInUse(name("www.example.org")) } == .yxDomain)
    }

    @Test func malformedAndOutOfZonePrerequisites() {
        #expect(failure { $0.requireNameInUse(name("www.example.net")) } == .notZone)
        var message = DNSUpdate(zone: origin).message
        message.answers = [
            ResourceRecord(name: name("www.example.org"), class: .any, ttl: 5, data: .empty(.a))
        ]
        #expect(throws: UpdateFailure(.formatError)) {
            try ZoneUpdateProcessor.apply(message, to: zone).get()
        }
        message.answers = [
            ResourceRecord(name: name("www.example.org"), class: .any, ttl: 0, data: address(1))
        ]
        #expect(throws: UpdateFailure(.formatError)) {
            try ZoneUpdateProcessor.apply(message, to: zone).get()
        }
    }

    @Test func aFailedPrerequisiteAppliesNothing() {
        #expect(
            failure {
                $0.requireNameNotInUse(name("www.example.org"))
                $0.add(name("new.example.org"), ttl: 60, data: address(9))
            } == .yxDomain)
    }

    // MARK: Updates

    @Test func addsRecordsAndKeepsTheSerial() throws {
        let result = try updated {
            $0.add(name("new.example.org"), ttl: 120, data: address(9))
            $0.add(name("www.example.org"), ttl: 60, data: address(4))
        }
        #expect(result.recordSet(name("new.example.org"), .a).map(\.data) == [address(9)])
        #expect(result.recordSet(name("www.example.org"), .a).count == 4)
        #expect(result.soa.serial == zone.soa.serial)
        #expect(!result.hasSameContent(as: zone))
    }

    @Test func addingAnExistingRecordChangesNothing() throws {
        let result = try updated { $0.add(name("www.example.org"), ttl: 60, data: address(1)) }
        #expect(result.hasSameContent(as: zone))
    }

    @Test func cnameAndOtherDataDoNotMix() throws {
        let result = try updated {
            $0.add(name("alias.example.org"), ttl: 60, data: address(1))
            $0.add(name("www.example.org"), ttl: 60, data: .cname(name("elsewhere.example.org")))
            $0.add(name("alias.example.org"), ttl: 60, data: .cname(name("ns1.example.org")))
        }
        #expect(result.recordSet(name("alias.example.org"), .a).isEmpty)
        #expect(result.recordSet(name("www.example.org"), .cname).isEmpty)
        #expect(
            result.recordSet(name("alias.example.org"), .cname).map(\.data) == [
                .cname(name("ns1.example.org"))
            ])
    }

    @Test func deletesAnRRset() throws {
        let result = try updated { $0.deleteRRset(name("www.example.org"), type: .a) }
        #expect(result.recordSet(name("www.example.org"), .a).isEmpty)
        #expect(result.recordSet(name("www.example.org"), .aaaa).count == 1)
    }

    @Test func deletesAllRRsetsOfAName() throws {
        let result = try updated { $0.deleteAllRRsets(name("www.example.org")) }
        #expect(result.allRecords(at: name("www.example.org")).isEmpty)
        #expect(!result.contains(name("www.example.org")))
    }

    @Test func deletesOneRecord() throws {
        let result = try updated { $0.delete(name("www.example.org"), data: address(2)) }
        #expect(result.recordSet(name("www.example.org"), .a).map(\.data) == [address(1), address(3)])
    }

    @Test func apexSOAAndNSAreNotDeletable() throws {
        let all = try updated { $0.deleteAllRRsets(origin) }
        #expect(all.recordSet(origin, .ns).count == 2)
        #expect(all.recordSet(origin, .soa).count == 1)
        let sets = try updated {
            $0.deleteRRset(origin, type: .ns)
            $0.deleteRRset(origin, type: .soa)
        }
        #expect(sets.hasSameContent(as: zone))
        // One NS may go, not the last one.
        let one = try updated {
            $0.delete(origin, data: .ns(name("ns1.example.org")))
            $0.delete(origin, data: .ns(name("ns2.example.org")))
        }
        #expect(one.recordSet(origin, .ns).map(\.data) == [.ns(name("ns2.example.org"))])
    }

    @Test func aNewerSOAReplacesTheSOA() throws {
        var soa = zone.soa
        soa.serial = 500
        soa.minimum = 60
        let newer = try updated { $0.add(origin, ttl: 3600, data: .soa(soa)) }
        #expect(newer.soa == soa)
        soa.serial = 50
        let older = try updated { $0.add(origin, ttl: 3600, data: .soa(soa)) }
        #expect(older.soa == zone.soa)
    }

    @Test func recordsOutsideTheZoneAreNOTZONE() {
        #expect(failure { $0.add(name("www.example.net"), ttl: 60, data: address(1)) } == .notZone)
        #expect(failure { $0.deleteRRset(name("example.com"), type: .a) } == .notZone)
    }

    @Test func malformedUpdatesAreFORMERR() {
        var message = DNSUpdate(zone: origin).message
        message.authorities = [
            ResourceRecord(name: name("www.example.org"), class: .any, ttl: 60, data: .empty(.a))
        ]
        #expect(throws: UpdateFailure(.formatError)) {
            try ZoneUpdateProcessor.apply(message, to: zone).get()
        }
        message.authorities = [ResourceRecord(name: name("www.example.org"), ttl: 60, data: .empty(.any))]
        #expect(throws: UpdateFailure(.formatError)) {
            try ZoneUpdateProcessor.apply(message, to: zone).get()
        }
        message.authorities = [
            ResourceRecord(name: name("www.example.org"), class: .ch, ttl: 60, data: address(1))
        ]
        #expect(throws: UpdateFailure(.formatError)) {
            try ZoneUpdateProcessor.apply(message, to: zone).get()
        }
        // A malformed update after a good one: nothing is applied.
        message.authorities.insert(
            ResourceRecord(name: name("new.example.org"), ttl: 60, data: address(1)), at: 0)
        #expect(throws: UpdateFailure(.formatError)) {
            try ZoneUpdateProcessor.apply(message, to: zone).get()
        }
    }

    @Test func storeModifyBumpsTheSerialOnlyOnChange() throws {
        let store = ZoneStore()
        store.replace(zone)
        var update = DNSUpdate(zone: origin)
        update.add(name("new.example.org"), ttl: 60, data: address(9))
        let changed = try #require(store.modify(origin) { ZoneUpdateProcessor.apply(update.message, to: $0) })
        #expect(try changed.get().soa.serial == 101)
        let again = try #require(store.modify(origin) { ZoneUpdateProcessor.apply(update.message, to: $0) })
        #expect(try again.get().soa.serial == 101)
        #expect(
            store.modify(name("example.net")) { ZoneUpdateProcessor.apply(update.message, to: $0) } == nil)
    }
}
