import DNS
import LBCore
import NIOCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// The fencing record (`_lbd-fence.<zone>`, `ha.mode: lease`): its wire form, the decisions to
/// move it, and `DNSUpdatePublisher` fencing its UPDATEs against our own embedded server, which
/// checks RFC 2136 prerequisites as BIND does.
@Suite(.serialized)
struct DNSFencingTests {
    static let alias = "www.lb.example"
    static let zone = try! DomainName(parsing: "www.lb.example.")
    static let fence = try! DomainName(parsing: "_lbd-fence.www.lb.example.")
    static let key = DNS.TSIGKey(
        name: try! DomainName(parsing: "lb-internal."), algorithm: .hmacSHA256,
        secret: Array(repeating: 0x11, count: 32))

    // MARK: Wire form

    /// The octets of the one record the message's answer section (the prerequisites) holds,
    /// written after the zone section: the owner is `_lbd-fence` and a pointer to the zone name.
    static func prerequisiteOctets(_ update: DNSUpdate) throws -> [UInt8] {
        let bytes = try update.message.encode()
        let question = 12 + (Self.zone.wireLabels.reduce(1) { $0 + $1.count + 1 }) + 4
        return Array(bytes[question...])
    }

    @Test func theFencePrerequisiteIsOneTXTStringOfClassINAndTTLZero() throws {
        var update = DNSUpdate(zone: Self.zone)
        DNSFence.requireHeld(42, at: Self.fence, in: &update)
        let label = Array("_lbd-fence".utf8)
        #expect(
            try Self.prerequisiteOctets(update) == [UInt8(label.count)] + label + [0xC0, 0x0C]
                + [0x00, 0x10, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x03, 0x02, 0x34, 0x32])
        let decoded = try DNSMessage(decoding: try update.message.encode())
        #expect(decoded.opcode == .update)
        #expect(
            decoded.answers == [
                ResourceRecord(name: Self.fence, class: .in, ttl: 0, data: .txt([[0x34, 0x32]]))
            ])
        #expect(decoded.authorities.isEmpty)
    }

    @Test func creatingTheFenceRequiresThatNoTXTRRsetExistsAndAddsTheToken() throws {
        let update = try #require(DNSFence.compareAndSwap(.create, zone: Self.zone, at: Self.fence, to: 7))
        let decoded = try DNSMessage(decoding: try update.message.encode())
        #expect(decoded.questions == [Question(name: Self.zone, type: .soa, class: .in)])
        #expect(
            decoded.answers == [ResourceRecord(name: Self.fence, class: .none, ttl: 0, data: .empty(.txt))])
        #expect(
            decoded.authorities == [
                ResourceRecord(name: Self.fence, class: .in, ttl: 0, data: .txt([[0x37]]))
            ])
    }

    @Test func movingTheFenceRequiresTheRecordsReadThenReplacesThem() throws {
        let update = try #require(
            DNSFence.compareAndSwap(.replace([DNSFence.data(3)]), zone: Self.zone, at: Self.fence, to: 4))
        let decoded = try DNSMessage(decoding: try update.message.encode())
        #expect(
            decoded.answers == [ResourceRecord(name: Self.fence, class: .in, ttl: 0, data: .txt([[0x33]]))])
        #expect(
            decoded.authorities == [
                ResourceRecord(name: Self.fence, class: .any, ttl: 0, data: .empty(.txt)),
                ResourceRecord(name: Self.fence, class: .in, ttl: 0, data: .txt([[0x34]])),
            ])
    }

    @Test func theFenceLivesUnderTheZoneApex() throws {
        #expect(try DNSFence.name(in: Self.zone) == Self.fence)
    }

    @Test func eachPartitionHasAFenceOfItsOwnBecauseTokensCountPerPartition() throws {
        #expect(try DNSFence.name(in: Self.zone, partition: nil) == Self.fence)
        #expect(try DNSFence.name(in: Self.zone, partition: "default") == Self.fence)
        #expect(
            try DNSFence.name(in: Self.zone, partition: "Web")
                == DomainName(parsing: "_lbd-fence-web.\(Self.zone)"))
        #expect(throws: PublishingFailure.self) {
            try DNSFence.name(in: Self.zone, partition: String(repeating: "p", count: 80))
        }
    }

    // MARK: Decisions

    @Test func theFenceMovesOnlyForward() {
        #expect(DNSFence.move(from: [], to: 2) == .create)
        #expect(DNSFence.move(from: [DNSFence.data(1)], to: 2) == .replace([DNSFence.data(1)]))
        #expect(DNSFence.move(from: [DNSFence.data(2)], to: 2) == .alreadyHeld)
        #expect(DNSFence.move(from: [DNSFence.data(3)], to: 2) == .deposed(by: 3))
        #expect(
            DNSFence.move(from: [DNSFence.data(1), DNSFence.data(2)], to: 2)
                == .replace([DNSFence.data(1), DNSFence.data(2)]))
        #expect(DNSFence.move(from: [DNSFence.data(1), DNSFence.data(9)], to: 2) == .deposed(by: 9))
        #expect(DNSFence.move(from: [.text("x")], to: 2) == .unreadable)
        #expect(DNSFence.move(from: [DNSFence.data(1), .text("x")], to: 2) == .unreadable)
    }

    @Test func onlyOneStringOfDecimalDigitsIsAToken() {
        #expect(DNSFence.token(in: .text("12")) == 12)
        #expect(DNSFence.token(in: .text(String(Int64.max))) == Int64.max)
        for text in ["", "+1", "-1", " 1", "1a", "99999999999999999999", "9223372036854775808"] {
            #expect(DNSFence.token(in: .text(text)) == nil, "\(text)")
        }
        #expect(DNSFence.token(in: .txt([[0x31], [0x32]])) == nil)
        #expect(DNSFence.token(in: .a(IPv4Address(192, 0, 2, 1))) == nil)
    }

    // MARK: The publisher against the embedded server

    /// Sends through a real `DNSClient` and keeps every message sent; `beforeUpdate` runs before
    /// each UPDATE goes out, to let another instance act in between.
    final class RecordingSender: DNSRequestSender {
        private let client = DNSClient()
        private let sent = Mutex<[DNSMessage]>([])
        let beforeUpdate: @Sendable (DNSMessage) async throws -> Void

        init(beforeUpdate: @escaping @Sendable (DNSMessage) async throws -> Void = { _ in }) {
            self.beforeUpdate = beforeUpdate
        }

        var messages: [DNSMessage] { sent.withLock { $0 } }
        var updates: [DNSMessage] { messages.filter { $0.opcode == .update } }
        var fenceReads: Int { messages.filter { $0.questions.first?.type == .txt }.count }

        func send(
            _ message: DNSMessage, server: SocketAddress, key: DNS.TSIGKey?, options: DNSClient.Options
        ) async throws -> DNSResponse {
            if message.opcode == .update { try await beforeUpdate(message) }
            sent.withLock { $0.append(message) }
            return try await client.send(message, server: server, key: key, options: options)
        }
    }

    static func publisher(_ server: EmbeddedUpdateServer, sender: RecordingSender) -> DNSUpdatePublisher {
        DNSUpdatePublisher(
            settings: DNSSettings(
                server: server.serverAddress, timeout: 2, retries: 2, internalView: DNSView(key: key)),
            sender: sender, firstRetryDelay: .zero, sleep: { _ in })
    }

    static func publication(_ address: String, token: Int64?) -> Publication {
        Publication(alias: alias, addresses: [NodeAddress(address)!], ttl: 60, fencingToken: token)
    }

    /// The fence's TXT strings as the server answers them.
    static func fenceValue(_ server: EmbeddedUpdateServer) async throws -> [String] {
        let response: DNSResponse
        do {
            response = try await DNSClient().query(Self.fence, type: .txt, server: server.address)
        } catch let error as DNSClientError where error.responseCode == .nameError {
            return []
        }
        return response.message.answers.compactMap { record in
            guard case .txt(let strings) = record.data else { return nil }
            return strings.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        }.sorted()
    }

    /// Sets the fence as another instance would, bypassing any publisher.
    static func setFence(_ token: Int64, _ server: EmbeddedUpdateServer) async throws {
        var update = DNSUpdate(zone: Self.zone)
        update.deleteRRset(Self.fence, type: .txt)
        update.add(Self.fence, ttl: 0, data: DNSFence.data(token))
        _ = try await DNSClient().update(update.message, server: server.address, key: Self.key)
    }

    static func failure(_ results: [PublicationResult]) -> PublishingFailure? {
        guard results.count == 1, case .failed(let failure) = results[0].action else { return nil }
        return failure
    }

    private func withServer(_ body: (EmbeddedUpdateServer) async throws -> Void) async throws {
        let server = try await EmbeddedUpdateServer(aliases: [Self.alias], keys: [Self.key])
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func withoutATokenNoUpdateCarriesAPrerequisiteAndNoFenceIsRead() async throws {
        try await withServer { (server) async throws in
            let sender = RecordingSender()
            let results = await Self.publisher(server, sender: sender).publish(
                Self.publication("192.0.2.10", token: nil), dryRun: false)
            #expect(results.map(\.action) == [.updated])
            #expect(sender.updates.count == 1)
            #expect(sender.updates.allSatisfy { $0.answers.isEmpty })
            #expect(sender.fenceReads == 0)
            #expect(try await Self.fenceValue(server) == [])
        }
    }

    @Test func aTokenCreatesTheFenceOnceAndEveryUpdateRequiresIt() async throws {
        try await withServer { (server) async throws in
            let sender = RecordingSender()
            let publisher = Self.publisher(server, sender: sender)
            #expect(
                await publisher.publish(Self.publication("192.0.2.10", token: 1), dryRun: false).map(\.action)
                    == [.updated])
            #expect(try await Self.fenceValue(server) == ["1"])
            #expect(try await server.records(Self.alias) == ["192.0.2.10 60"])

            // The fence is remembered: the next publications send no read of it.
            #expect(
                await publisher.publish(Self.publication("192.0.2.11", token: 1), dryRun: false).map(\.action)
                    == [.updated])
            #expect(sender.fenceReads == 1)
            let held = ResourceRecord(name: Self.fence, class: .in, ttl: 0, data: DNSFence.data(1))
            // The creation, then two alias UPDATEs that each require the fence.
            #expect(sender.updates.count == 3)
            #expect(sender.updates.dropFirst().allSatisfy { $0.answers == [held] })
            // The fence is not an address of the alias: the same publication is unchanged.
            let again = await publisher.publish(Self.publication("192.0.2.11", token: 1), dryRun: false)
            #expect(
                again == [
                    PublicationResult(
                        target: "internal view", previous: [NodeAddress("192.0.2.11")!], previousTTL: 60,
                        action: .unchanged)
                ])
        }
    }

    @Test func aDryRunNeitherReadsNorMovesTheFence() async throws {
        try await withServer { (server) async throws in
            let sender = RecordingSender()
            let results = await Self.publisher(server, sender: sender).publish(
                Self.publication("192.0.2.10", token: 1), dryRun: true)
            #expect(results.map(\.action) == [.wouldUpdate])
            #expect(sender.messages.count == 2)
            #expect(sender.fenceReads == 0 && sender.updates.isEmpty)
        }
    }

    @Test func aNewerTokenMovesTheFenceEvenWhenTheRecordsAreRight() async throws {
        try await withServer { (server) async throws in
            _ = await Self.publisher(server, sender: RecordingSender()).publish(
                Self.publication("192.0.2.10", token: 1), dryRun: false)
            let sender = RecordingSender()
            let results = await Self.publisher(server, sender: sender).publish(
                Self.publication("192.0.2.10", token: 2), dryRun: false)
            #expect(results.map(\.action) == [.unchanged])
            #expect(try await Self.fenceValue(server) == ["2"])
            #expect(sender.updates.count == 1)
        }
    }

    @Test func aDeposedInstanceIsToldWhichTokenWonAndSendsNoUpdate() async throws {
        try await withServer { (server) async throws in
            try await Self.setFence(5, server)
            let sender = RecordingSender()
            let results = await Self.publisher(server, sender: sender).publish(
                Self.publication("192.0.2.10", token: 4), dryRun: false)
            let failure = try #require(Self.failure(results))
            #expect(failure.code == .fenced)
            #expect(
                failure.message.contains("token 5") && failure.message.contains("this instance's 4"),
                "\(failure)")
            #expect(failure.message.contains("newer lease"), "\(failure)")
            #expect(sender.updates.isEmpty)
            #expect(try await server.records(Self.alias) == [])
        }
    }

    @Test func anUpdateRefusedOnTheFenceIsFencedNotRetriedAndTheFenceIsReadAgainNextTime() async throws {
        try await withServer { (server) async throws in
            let sender = RecordingSender()
            let publisher = Self.publisher(server, sender: sender)
            _ = await publisher.publish(Self.publication("192.0.2.10", token: 1), dryRun: false)
            try await Self.setFence(2, server)
            let updatesBefore = sender.updates.count

            let results = await publisher.publish(Self.publication("192.0.2.99", token: 1), dryRun: false)
            let failure = try #require(Self.failure(results))
            #expect(failure.code == .fenced)
            #expect(failure.message.contains("NXRRSET"), "\(failure)")
            #expect(failure.message.contains("token 1") && failure.message.contains("\"2\""), "\(failure)")
            #expect(sender.updates.count == updatesBefore + 1)
            #expect(try await server.records(Self.alias) == ["192.0.2.10 60"])

            // Forgotten: the next publication reads the fence and stops before any UPDATE.
            let reads = sender.fenceReads
            let next = await publisher.publish(Self.publication("192.0.2.99", token: 1), dryRun: false)
            #expect(Self.failure(next)?.code == .fenced)
            #expect(sender.fenceReads == reads + 1)
            #expect(sender.updates.count == updatesBefore + 1)
        }
    }

    @Test func aRaceLostIsReadAgainOnceAndThenDecided() async throws {
        try await withServer { (server) async throws in
            // Another instance with token 3 moves the fence just before our creation goes out.
            let raced = Mutex(false)
            let sender = RecordingSender { message in
                let first = raced.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { try await Self.setFence(3, server) }
            }
            let results = await Self.publisher(server, sender: sender).publish(
                Self.publication("192.0.2.10", token: 2), dryRun: false)
            let failure = try #require(Self.failure(results))
            #expect(failure.code == .fenced)
            #expect(failure.message.contains("token 3"), "\(failure)")
            #expect(sender.fenceReads == 2)
            #expect(sender.updates.count == 1)
            #expect(try await Self.fenceValue(server) == ["3"])
        }
    }

    @Test func aRaceLostToAnOlderTokenIsMovedOnTheSecondTry() async throws {
        try await withServer { (server) async throws in
            let raced = Mutex(false)
            let sender = RecordingSender { message in
                let first = raced.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { try await Self.setFence(1, server) }
            }
            let results = await Self.publisher(server, sender: sender).publish(
                Self.publication("192.0.2.10", token: 2), dryRun: false)
            #expect(results.map(\.action) == [.updated])
            #expect(sender.fenceReads == 2)
            #expect(try await Self.fenceValue(server) == ["2"])
            #expect(try await server.records(Self.alias) == ["192.0.2.10 60"])
        }
    }

    @Test func aFenceNotWrittenByLbdIsReportedAndLeftAlone() async throws {
        try await withServer { (server) async throws in
            var update = DNSUpdate(zone: Self.zone)
            update.add(Self.fence, ttl: 0, data: .text("hello"))
            _ = try await DNSClient().update(update.message, server: server.address, key: Self.key)
            let results = await Self.publisher(server, sender: RecordingSender()).publish(
                Self.publication("192.0.2.10", token: 2), dryRun: false)
            let failure = try #require(Self.failure(results))
            #expect(failure.code == .fenced)
            #expect(
                failure.message.contains("\"hello\"") && failure.message.contains("nsupdate"), "\(failure)")
            #expect(try await Self.fenceValue(server) == ["hello"])
        }
    }
}
