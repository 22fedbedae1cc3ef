import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import LBDaemonKit

/// When lbd hands its start-up pages back: once every alias is evaluated after start, and again
/// after each reload (a storm of them once), each time in `passes` passes. The release itself
/// is faked: the real one on the test process would evict the test binary from the page cache.
@Suite struct StartupPagesServiceTests {
    final class Probe: Sendable {
        let releases = Mutex(0)
        let evaluated = Mutex(false)

        func service(reloads: AsyncStream<Void>, deadline: Duration = .seconds(30)) -> StartupPagesService {
            var service = StartupPagesService(
                allEvaluated: { self.evaluated.withLock { $0 } }, deadline: deadline, reloads: reloads,
                logger: Logger(label: "test"))
            service.pause = .milliseconds(1)
            service.settle = .milliseconds(10)
            service.release = {
                self.releases.withLock { $0 += 1 }
                return StartupPageRelease.Outcome(regions: [], residentKiB: 0, evictedFromPageCache: false)
            }
            return service
        }

        func count() -> Int { releases.withLock { $0 } }

        /// Waits (at most 10 s) until `count` is `expected`.
        func waitFor(_ expected: Int) async -> Bool {
            for _ in 0..<1_000 {
                if count() == expected { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return false
        }
    }

    private func running(
        _ service: StartupPagesService, _ body: () async throws -> Void
    ) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [service], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func releasesOnceEvaluatedThenAgainAfterEachReload() async throws {
        let probe = Probe()
        let (reloads, reloaded) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await running(probe.service(reloads: reloads)) {
            // Nothing while the first round is under way.
            try await Task.sleep(for: .milliseconds(300))
            #expect(probe.count() == 0)
            probe.evaluated.withLock { $0 = true }
            #expect(await probe.waitFor(StartupPagesService.passes))
            reloaded.yield()
            #expect(await probe.waitFor(2 * StartupPagesService.passes))
            // A storm of reloads: one more release, not one per reload.
            for _ in 0..<20 { reloaded.yield() }
            #expect(await probe.waitFor(3 * StartupPagesService.passes))
            try await Task.sleep(for: .milliseconds(300))
            #expect(probe.count() <= 4 * StartupPagesService.passes)
        }
    }

    @Test func aRoundThatNeverCompletesIsReleasedAfterTheDeadline() async throws {
        let probe = Probe()
        let (reloads, _) = AsyncStream.makeStream(of: Void.self)
        try await running(probe.service(reloads: reloads, deadline: .milliseconds(300))) {
            #expect(await probe.waitFor(StartupPagesService.passes))
        }
    }

    @Test func aShutdownBeforeTheFirstRoundEndsWithoutReleasing() async throws {
        let probe = Probe()
        let (reloads, _) = AsyncStream.makeStream(of: Void.self)
        try await running(probe.service(reloads: reloads)) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(probe.count() == 0)
    }
}
