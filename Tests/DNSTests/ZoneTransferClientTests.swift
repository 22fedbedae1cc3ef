import NIOCore
import Testing

@testable import DNS

/// `ZoneTransferClient` against the library's own `DNSServer` (whole zones, TSIG, refusals) and
/// against `RawStreamServer` streams that are cut short, lie about the zone, or never end: each
/// gives its typed error after bounded work, never records.
@Suite struct ZoneTransferClientTests {
    static let origin = name("example.org")
    static let transferKey = TSIGKey(name: name("xfr-key"), algorithm: .hmacSHA256, secret: Array(1...32))
    static let soaRecord = ResourceRecord(name: origin, ttl: 3600, data: .soa(ZoneFixtures.soa))

    /// A zone of `count` A records under example.org, several messages long when large.
    static func largeZone(_ count: Int, serial: UInt32 = 100) -> Zone {
        var soa = ZoneFixtures.soa
        soa.serial = serial
        let records = (0..<count).map { (index: Int) -> ResourceRecord in
            let high = UInt8(truncatingIfNeeded: index >> 8)
            let low = UInt8(truncatingIfNeeded: index)
            return ResourceRecord(
                name: name("host\(index).example.org"), ttl: 60, data: .a(IPv4Address(10, 0, high, low)))
        }
        return try! Zone(origin: origin, soa: soa, soaTTL: 3600, records: records)
    }

    private func withServer(
        _ zones: [Zone], sources: Set<String> = ["127.0.0.1"], keys: [TSIGKey] = [],
        _ body: (SocketAddress) async throws -> Void
    ) async throws {
        let store = ZoneStore()
        for zone in zones { store.replace(zone) }
        let server = DNSServer(
            configuration: DNSServerConfiguration(
                host: "127.0.0.1", port: 0, udpSockets: 1, transferSources: sources, transferKeys: keys),
            store: store)
        let address = try await server.start()
        do {
            try await body(address)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// The error `body` throws, which must be a `ZoneTransferError`.
    private func transferError(_ body: () async throws -> Void) async throws -> ZoneTransferError {
        do {
            try await body()
        } catch let error as ZoneTransferError {
            return error
        }
        Issue.record("the transfer succeeded")
        throw CancellationError()
    }

    /// The error of an AXFR of example.org from a raw server replying `reply`.
    private func rawTransferError(
        limits: ZoneTransferClient.Limits = .init(), timeout: Duration = .seconds(5),
        _ reply: @escaping @Sendable (DNSMessage) -> RawStreamServer.Reply
    ) async throws -> ZoneTransferError {
        let server = try await RawStreamServer(reply: reply)
        defer { Task { await server.stop() } }
        return try await transferError {
            _ = try await ZoneTransferClient().axfr(
                zone: Self.origin, from: server.address, timeout: timeout, limits: limits)
        }
    }

    // MARK: - Against DNSServer

    @Test func aZoneOfManyMessagesArrivesWhole() async throws {
        let zone = Self.largeZone(3000)
        try await withServer([zone]) { address in
            let records = try await ZoneTransferClient().axfr(zone: Self.origin, from: address)
            #expect(records.count == 3002)
            #expect(records.first == zone.soaRecord)
            #expect(records.last == zone.soaRecord)
            let transferred = try await ZoneTransferClient().transferZone(Self.origin, from: address)
            #expect(transferred == zone)
        }
    }

    @Test func aSignedTransferVerifies() async throws {
        let zone = Self.largeZone(2000)
        try await withServer([zone], sources: [], keys: [Self.transferKey]) { address in
            let transferred = try await ZoneTransferClient().transferZone(
                Self.origin, from: address, key: Self.transferKey)
            #expect(transferred == zone)
            let unsigned = try await transferError {
                _ = try await ZoneTransferClient().axfr(zone: Self.origin, from: address)
            }
            #expect(unsigned.code == .responseCode(.refused))
        }
    }

    @Test func aTransferNotAllowedIsRefused() async throws {
        try await withServer([ZoneFixtures.exampleOrg()], sources: []) { address in
            let error = try await transferError {
                _ = try await ZoneTransferClient().axfr(zone: Self.origin, from: address)
            }
            #expect(error.code == .responseCode(.refused))
            #expect(error.message.contains("REFUSED"))
        }
    }

    @Test func aZoneTheServerDoesNotHaveIsNotAuth() async throws {
        try await withServer([ZoneFixtures.exampleOrg()]) { address in
            let error = try await transferError {
                _ = try await ZoneTransferClient().axfr(zone: name("example.net"), from: address)
            }
            #expect(error.code == .responseCode(.notAuth))
        }
    }

    @Test func aServerThatIsNotThereIsAConnectionFailure() async throws {
        let server = try await RawStreamServer { _ in RawStreamServer.Reply(bytes: []) }
        let address = server.address
        await server.stop()
        let error = try await transferError {
            _ = try await ZoneTransferClient().axfr(zone: Self.origin, from: address, timeout: .seconds(2))
        }
        #expect(error.code == .connectionFailed || error.code == .timeout)
    }

    // MARK: - Malformed streams

    @Test func aFrameCutShortIsIncomplete() async throws {
        let error = try await rawTransferError { request in
            let first = RawStreamServer.answer(
                request, [Self.soaRecord, ZoneFixtures.a("www.example.org", 1)])
            let second = RawStreamServer.answer(request, [Self.soaRecord], first: false)
            return RawStreamServer.Reply(bytes: first + second.prefix(10))
        }
        #expect(error.code == .incomplete)
    }

    @Test func aStreamClosedBeforeTheClosingSOAIsIncomplete() async throws {
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.answer(
                    request, [Self.soaRecord, ZoneFixtures.a("www.example.org", 1)]))
        }
        #expect(error.code == .incomplete)
    }

    @Test func aTransferEndingWithAnotherSOAIsRefused() async throws {
        let later = {
            var soa = ZoneFixtures.soa
            soa.serial = 101
            return soa
        }()
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.answer(
                    request,
                    [
                        Self.soaRecord, ZoneFixtures.a("www.example.org", 1),
                        ResourceRecord(name: Self.origin, ttl: 3600, data: .soa(later)),
                    ]))
        }
        #expect(error.code == .soaMismatch)
        #expect(error.message.contains("101"))
    }

    @Test func aRecordOutsideTheZoneIsRefused() async throws {
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.answer(
                    request, [Self.soaRecord, ZoneFixtures.a("www.example.net", 1), Self.soaRecord]))
        }
        #expect(error.code == .outOfZone(name("www.example.net")))
    }

    @Test func aTransferNotStartingWithTheSOAIsRefused() async throws {
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.answer(
                    request, [ZoneFixtures.a("www.example.org", 1), Self.soaRecord]))
        }
        #expect(error.code == .missingSOA)
    }

    @Test func recordsAfterTheClosingSOAAreMalformed() async throws {
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.answer(
                    request, [Self.soaRecord, Self.soaRecord, ZoneFixtures.a("www.example.org", 1)]))
        }
        #expect(error.code == .malformedResponse)
    }

    @Test func anAnswerWithAnotherIDIsMalformed() async throws {
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.answer(request, [Self.soaRecord, Self.soaRecord], id: request.id &+ 1))
        }
        #expect(error.code == .malformedResponse)
    }

    @Test func garbageIsMalformed() async throws {
        let error = try await rawTransferError { request in
            let header = [UInt8(request.id >> 8), UInt8(request.id & 0xFF), 0x84, 0, 0, 1, 0, 9]
            return RawStreamServer.Reply(
                bytes: RawStreamServer.frame(header + Array(repeating: 0xC0, count: 40)))
        }
        #expect(error.code == .malformedResponse)
    }

    @Test func anEmptyFrameIsMalformed() async throws {
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.answer(request, [Self.soaRecord]) + [0, 0], close: false)
        }
        #expect(error.code == .malformedResponse)
    }

    @Test func anEndlessStreamStopsAtTheMessageLimit() async throws {
        let error = try await rawTransferError(limits: .init(maximumMessages: 20)) { request in
            let first = RawStreamServer.answer(request, [Self.soaRecord])
            let more = (0..<500).flatMap { index in
                RawStreamServer.answer(request, [ZoneFixtures.a("h\(index).example.org", 1)], first: false)
            }
            return RawStreamServer.Reply(bytes: first + more, close: false)
        }
        #expect(error.code == .tooManyMessages)
    }

    @Test func anOversizedZoneStopsAtTheRecordLimit() async throws {
        let zone = Self.largeZone(500)
        try await withServer([zone]) { address in
            let error = try await transferError {
                _ = try await ZoneTransferClient().axfr(
                    zone: Self.origin, from: address, limits: .init(maximumRecords: 100))
            }
            #expect(error.code == .tooManyRecords)
        }
    }

    @Test func aServerThatStopsSendingTimesOut() async throws {
        let error = try await rawTransferError(timeout: .milliseconds(300)) { request in
            RawStreamServer.Reply(bytes: RawStreamServer.answer(request, [Self.soaRecord]), close: false)
        }
        #expect(error.code == .timeout)
    }

    @Test func anErrorCodeIsTyped() async throws {
        let error = try await rawTransferError { request in
            RawStreamServer.Reply(
                bytes: RawStreamServer.frame(
                    DNSMessage(
                        id: request.id, isResponse: true, responseCode: .serverFailure,
                        questions: request.questions)))
        }
        #expect(error.code == .responseCode(.serverFailure))
    }

    // MARK: - Records to a zone

    @Test func recordsThatFormNoZoneAreInvalid() throws {
        let records = [
            Self.soaRecord,
            ResourceRecord(name: name("www.example.org"), ttl: 60, data: .cname(name("x.example.org"))),
            ZoneFixtures.a("www.example.org", 1), Self.soaRecord,
        ]
        #expect(throws: ZoneTransferError.self) { try ZoneTransferClient.zone(Self.origin, from: records) }
        do {
            _ = try ZoneTransferClient.zone(Self.origin, from: records)
        } catch {
            #expect(error.code == .invalidZone(.cnameAndOtherData(name("www.example.org"))))
        }
    }
}
