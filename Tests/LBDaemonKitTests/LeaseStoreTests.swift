import Foundation
import LBTestSupport
import Logging
import Testing

@testable import LBDaemonKit

/// `LeaseStore`'s statements against a real PostgreSQL: who may take, renew and release a
/// partition's lease, by the database's clock, and typed errors that never show the password.
@Suite(.serialized)
struct LeaseStoreTests {
    static func store(_ cluster: PostgresCluster, table: String = "lbd_lease") throws -> LeaseStore {
        try LeaseStore(
            url: PostgresURL(parsing: cluster.url), table: table, timeout: 3, logger: Logger(label: "test"))
    }

    @Test func theFirstAcquireCreatesTheTableAndTakesTokenOneAndOthersAreRefused() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let (a, b) = (
            try Self.store(cluster, table: "custom_leases"), try Self.store(cluster, table: "custom_leases")
        )

        guard
            case .acquired(let token, let remaining) = try await a.acquire(
                partition: "p", holder: "lbd-a", ttl: 10)
        else {
            Issue.record("the first acquire was refused")
            return
        }
        #expect(token == 1)
        #expect(remaining > 9 && remaining <= 10)
        let refused = try await b.acquire(partition: "p", holder: "lbd-b", ttl: 10)
        guard case .refused(let current?) = refused else {
            Issue.record("a held lease was taken: \(refused)")
            return
        }
        #expect(current.holder == "lbd-a")
        #expect(current.token == 1)
        #expect(current.remaining > 9)
        // The holder itself cannot take it a second time either (a restarted instance waits).
        guard case .refused = try await a.acquire(partition: "p", holder: "lbd-a", ttl: 10) else {
            Issue.record("a held lease was taken again by its holder")
            return
        }
        #expect(try await b.current(partition: "p")?.holder == "lbd-a")
        #expect(try await b.current(partition: "other") == nil)
        await a.close()
        await b.close()
    }

    @Test func onlyTheHolderWithItsTokenRenewsAndReleasesAndAReleaseHandsOverAtOnce() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let store = try Self.store(cluster)
        guard case .acquired(let token, _) = try await store.acquire(partition: "p", holder: "lbd-a", ttl: 10)
        else {
            Issue.record("the first acquire was refused")
            return
        }
        #expect(try await store.renew(partition: "p", holder: "lbd-b", token: token, ttl: 10) == nil)
        #expect(try await store.renew(partition: "p", holder: "lbd-a", token: token + 1, ttl: 10) == nil)
        let renewed = try await store.renew(partition: "p", holder: "lbd-a", token: token, ttl: 20)
        #expect((renewed ?? 0) > 19)
        #expect(try await store.release(partition: "p", holder: "lbd-b", token: token) == false)
        #expect(try await store.release(partition: "p", holder: "lbd-a", token: token) == true)
        // Released: gone for its holder, free for the next one with the next token.
        #expect(try await store.renew(partition: "p", holder: "lbd-a", token: token, ttl: 10) == nil)
        try await Task.sleep(for: .milliseconds(10))
        guard case .acquired(let next, _) = try await store.acquire(partition: "p", holder: "lbd-b", ttl: 10)
        else {
            Issue.record("a released lease was refused")
            return
        }
        #expect(next == token + 1)
        #expect(try await store.current(partition: "p")?.holder == "lbd-b")
        #expect(try await store.current(partition: "p")?.token == token + 1)
        await store.close()
    }

    @Test func anExpiredLeaseIsTakenWithTheNextTokenAndCannotBeRenewed() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let store = try Self.store(cluster)
        guard
            case .acquired(let token, _) = try await store.acquire(partition: "p", holder: "lbd-a", ttl: 0.3)
        else {
            Issue.record("the first acquire was refused")
            return
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await store.renew(partition: "p", holder: "lbd-a", token: token, ttl: 10) == nil)
        guard case .acquired(let next, _) = try await store.acquire(partition: "p", holder: "lbd-b", ttl: 10)
        else {
            Issue.record("an expired lease was refused")
            return
        }
        #expect(next == token + 1)
        #expect(try await store.release(partition: "p", holder: "lbd-a", token: token) == false)
        await store.close()
    }

    @Test func manyConcurrentAcquiresGiveTheLeaseToExactlyOne() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster()
        let stores = try (0..<6).map { _ in try Self.store(cluster) }
        let outcomes = await withTaskGroup(of: Result<LeaseAcquisition, LeaseError>.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    do throws(LeaseError) {
                        return .success(
                            try await store.acquire(partition: "p", holder: "lbd-\(index)", ttl: 10))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var outcomes: [Result<LeaseAcquisition, LeaseError>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let acquired = outcomes.filter { if case .success(.acquired) = $0 { true } else { false } }
        #expect(acquired.count == 1)
        for case .failure(let error) in outcomes { Issue.record("an acquire failed: \(error)") }
        for store in stores { await store.close() }
    }

    @Test func aWrongPasswordIsATypedErrorWithoutThePassword() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster(password: "right-horse-battery")
        let store = try LeaseStore(
            url: PostgresURL(parsing: cluster.url(password: "wrong-staple-secret")),
            logger: Logger(label: "test"))
        do {
            _ = try await store.acquire(partition: "p", holder: "lbd-a", ttl: 10)
            Issue.record("a wrong password was accepted")
        } catch {
            guard case .authenticationFailed(_, let user, _) = error else {
                Issue.record("not an authentication failure: \(error)")
                return
            }
            #expect(user == "postgres")
            #expect(error.description.contains("127.0.0.1:\(cluster.port)/postgres"))
            #expect(!error.description.contains("wrong-staple-secret"))
            #expect(!String(reflecting: error).contains("wrong-staple-secret"))
        }
        // Without any password, the server's demand for one is reported as such.
        let bare = try LeaseStore(
            url: PostgresURL(parsing: cluster.url(password: nil)), logger: Logger(label: "test"))
        await #expect {
            try await bare.current(partition: "p")
        } throws: { error in
            guard let error = error as? LeaseError, case .authenticationFailed(_, _, let message) = error
            else {
                return false
            }
            return message.contains("asks for a password")
        }
    }

    @Test func thePasswordFileReplacesTheURLsPassword() async throws {
        guard PostgresCluster.available else { return }
        let cluster = try PostgresCluster(password: "right-horse-battery")
        let directory = try Peers.temporaryDirectory("lease-password")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("password").path
        try "right-horse-battery\n".write(toFile: file, atomically: true, encoding: .utf8)
        let settings = LeaseSettings(url: cluster.url(password: "stale"), passwordFile: file, ttl: 3)
        let store = try LeaseStore(settings: settings, timeout: 3, logger: Logger(label: "test"))
        guard case .acquired(1, _) = try await store.acquire(partition: "p", holder: "lbd-a", ttl: 3) else {
            Issue.record("the lease was not taken with the file's password")
            return
        }
        #expect(try await store.current(partition: "p")?.holder == "lbd-a")
        await store.close()

        let missing = LeaseSettings(url: cluster.url(password: nil), passwordFile: directory.path + "/absent")
        #expect(throws: LeaseError.self) {
            try LeaseStore(settings: missing, timeout: 3, logger: Logger(label: "test"))
        }
    }

    @Test func anUnreachableDatabaseIsATypedErrorWithoutThePassword() async throws {
        let port = try Peers.freeUDPAndTCPPort()
        let store = try LeaseStore(
            url: PostgresURL(parsing: "postgres://lbd:hunter2-secret@127.0.0.1:\(port)/leases"), timeout: 2,
            logger: Logger(label: "test"))
        do {
            _ = try await store.acquire(partition: "p", holder: "lbd-a", ttl: 10)
            Issue.record("a closed port answered")
        } catch {
            guard case .unreachable(let server, _) = error else {
                Issue.record("not 'unreachable': \(error)")
                return
            }
            #expect(server == "127.0.0.1:\(port)/leases")
            #expect(
                error.description
                    == "lease database 127.0.0.1:\(port)/leases is unreachable: Connection refused")
            #expect(!error.description.contains("hunter2-secret"))
            #expect(!String(reflecting: error).contains("hunter2-secret"))
        }
    }

    @Test func aServerThatAcceptsButNeverAnswersTimesOut() async throws {
        // A listening socket nobody reads from: the connection opens, the startup gets no reply.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        #expect(bound == 0)
        #expect(listen(listener, 4) == 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let store = try LeaseStore(
            url: PostgresURL(parsing: "postgres://lbd@127.0.0.1:\(port)/leases"), timeout: 1,
            logger: Logger(label: "test"))
        let started = ContinuousClock.now
        await #expect {
            try await store.acquire(partition: "p", holder: "lbd-a", ttl: 10)
        } throws: { error in
            guard let error = error as? LeaseError, case .timedOut = error else { return false }
            return true
        }
        // Bounded: not the minutes a pool or the kernel would wait.
        #expect(started.duration(to: .now) < .seconds(10))
    }
}
