import NIOCore
import Synchronization
import Testing

@testable import DNS

/// NOTIFY (RFC 1996) from the embedded server to secondaries, checked against fake secondaries.
@Suite struct ZoneNotifierTests {
    /// What a fake secondary received, and what the server reported.
    final class Log: Sendable {
        let notifies = Mutex<[DNSMessage]>([])
        let reports = Mutex<[ZoneNotification]>([])

        /// Waits (at most `seconds`) until `condition` holds for the reports.
        func wait(seconds: Double = 10, until condition: ([ZoneNotification]) -> Bool) async throws {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline {
                if reports.withLock({ condition($0) }) { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("timed out; reports: \(reports.withLock { $0 })")
        }
    }

    private func startServer(
        targets: [SocketAddress], key: TSIGKey? = nil, timeout: Duration = .milliseconds(200),
        attempts: Int = 5, log: Log
    ) async throws -> (DNSServer, ZoneStore) {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        store.replace(ZoneFixtures.subExampleOrg())
        let server = DNSServer(
            configuration: DNSServerConfiguration(
                notifyTargets: targets, notifyKey: key, notifyTimeout: timeout,
                notifyAttempts: attempts),
            store: store, onNotify: { report in log.reports.withLock { $0.append(report) } })
        try await server.start()
        return (server, store)
    }

    private func acknowledging(_ log: Log) async throws -> FakeDNSServer {
        try await FakeDNSServer { request, _ in
            log.notifies.withLock { $0.append(request) }
            return [FakeDNSServer.answer(request)]
        }
    }

    @Test func everyZoneIsAnnouncedAtStartAndEachChangeAfter() async throws {
        let log = Log()
        let secondary = try await acknowledging(log)
        let (server, store) = try await startServer(targets: [secondary.address], log: log)
        try await log.wait { $0.count == 2 }
        #expect(
            Set(log.reports.withLock { $0.map(\.zone) }) == [name("example.org"), name("sub.example.org")])
        #expect(log.reports.withLock { $0.allSatisfy { $0.error == nil && $0.target == secondary.address } })
        let notify = try #require(log.notifies.withLock { $0.first })
        #expect(notify.opcode == .notify)
        #expect(notify.isAuthoritative)
        #expect(notify.questions.count == 1 && notify.questions[0].type == .soa)
        #expect(notify.answers.first?.type == .soa)

        store.replace(ZoneFixtures.exampleOrg(serial: 150))
        try await log.wait { $0.count == 3 }
        let last = try #require(log.reports.withLock { $0.last })
        #expect(last.zone == name("example.org"))
        #expect(last.serial == 150)
        let announced = try #require(log.notifies.withLock { $0.last })
        guard case .soa(let soa)? = announced.answers.first?.data else {
            Issue.record("no SOA in the NOTIFY")
            return
        }
        #expect(soa.serial == 150)
        // The same content again is no change, and is not announced.
        store.replace(ZoneFixtures.exampleOrg(serial: 150))
        try await Task.sleep(for: .milliseconds(300))
        #expect(log.reports.withLock { $0.count } == 3)
        await server.stop()
        await secondary.stop()
    }

    @Test func aSilentSecondaryIsRetriedThenReported() async throws {
        let log = Log()
        let silentHits = Mutex(0)
        let silent = try await FakeDNSServer { request, _ in
            if request.questions.first?.name == name("example.org") { silentHits.withLock { $0 += 1 } }
            return []
        }
        let (server, _) = try await startServer(targets: [silent.address], attempts: 3, log: log)
        try await log.wait { $0.count == 2 }
        #expect(log.reports.withLock { $0.allSatisfy { $0.error?.code == .timeout } })
        #expect(silentHits.withLock { $0 } == 3)
        await server.stop()
        await silent.stop()
    }

    @Test func aSilentSecondaryDoesNotDelayTheOthers() async throws {
        let log = Log()
        let silent = try await FakeDNSServer { _, _ in [] }
        let healthy = try await acknowledging(log)
        // The silent secondary holds its NOTIFYs for 10 s; the healthy one hears of both zones
        // long before, whatever the load on the machine.
        let (server, _) = try await startServer(
            targets: [silent.address, healthy.address], timeout: .seconds(10), attempts: 1, log: log)
        try await log.wait { reports in
            reports.filter { $0.target == healthy.address && $0.error == nil }.count == 2
        }
        #expect(log.reports.withLock { $0.filter { $0.target == silent.address } }.isEmpty)
        let stopping = ContinuousClock.now
        await server.stop()
        // Stopping abandons the NOTIFYs still waiting for an answer.
        #expect(ContinuousClock.now - stopping < .seconds(5))
        await silent.stop()
        await healthy.stop()
    }

    @Test func anErrorAnswerIsReportedAndNotRetried() async throws {
        let log = Log()
        let hits = Mutex(0)
        let refusing = try await FakeDNSServer { request, _ in
            hits.withLock { $0 += 1 }
            return [FakeDNSServer.answer(request, code: .refused)]
        }
        let (server, _) = try await startServer(targets: [refusing.address], log: log)
        try await log.wait { $0.count == 2 }
        #expect(log.reports.withLock { $0.allSatisfy { $0.error?.responseCode == .refused } })
        #expect(hits.withLock { $0 } == 2)
        await server.stop()
        await refusing.stop()
    }

    @Test func notifiesAreSignedWithTheNotifyKey() async throws {
        let key = TSIGKey(name: name("notify-key"), algorithm: .hmacSHA256, secret: Array(1...32))
        let log = Log()
        let secondary = try await FakeDNSServer(raw: { _, bytes, _ in
            guard let verified = try? TSIGVerifier(keys: [key]).verify(bytes) else { return [] }
            log.notifies.withLock { $0.append(verified.message) }
            var answer = verified.message
            answer.isResponse = true
            return [try! TSIGSigner(key: key).sign(answer, requestMAC: verified.mac).bytes]
        })
        let (server, _) = try await startServer(targets: [secondary.address], key: key, attempts: 2, log: log)
        try await log.wait { $0.count == 2 }
        #expect(log.reports.withLock { $0.allSatisfy { $0.error == nil } })
        #expect(log.notifies.withLock { $0.count } == 2)
        await server.stop()
        await secondary.stop()
    }

    @Test func aQueuedZoneIsTakenOnceHoweverOftenItChanged() async throws {
        let queue = ZoneQueue()
        queue.add(name("a.example"))
        queue.add(name("b.example"))
        queue.add(name("a.example"))
        #expect(await queue.next() == name("a.example"))
        #expect(await queue.next() == name("b.example"))
        // Taken, then changed again: queued again.
        queue.add(name("a.example"))
        #expect(await queue.next() == name("a.example"))
        let waiting = Task { await queue.next() }
        waiting.cancel()
        #expect(await waiting.value == nil)
    }

    @Test func storeObserversHearOfChangesOnly() {
        let store = ZoneStore()
        let heard = Mutex<[UInt32]>([])
        let token = store.addObserver { zone in heard.withLock { $0.append(zone.soa.serial) } }
        store.replace(ZoneFixtures.exampleOrg(serial: 100))
        store.replace(ZoneFixtures.exampleOrg(serial: 100))
        store.replace(ZoneFixtures.exampleOrg(serial: 100, extra: [ZoneFixtures.a("new.example.org", 7)]))
        store.removeObserver(token)
        store.replace(ZoneFixtures.exampleOrg(serial: 300))
        #expect(heard.withLock { $0 } == [100, 101])
    }
}
