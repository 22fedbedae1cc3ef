import Foundation
import LBTestSupport
import Logging
import Synchronization

@testable import LBDaemonKit

/// A monotonic clock whose sleeps can be held: a held ``LeaseLeadership`` stops renewing, as a
/// process frozen by SIGSTOP would, while its deadline keeps running.
final class PausableLeaseClock: LeaseClock {
    private let paused = Mutex(false)

    var now: ContinuousClock.Instant { ContinuousClock.now }

    func pause() { paused.withLock { $0 = true } }
    func resume() { paused.withLock { $0 = false } }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
        while paused.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
    }
}

/// Lease leaderships running in tasks of their own; each is stopped (cancelled, which releases
/// its lease) by `stop`, or when this is released.
final class RunningLeases: Sendable {
    let leaderships: [LeaseLeadership]
    private let tasks: Mutex<[Task<Void, Never>?]>

    init(_ leaderships: [LeaseLeadership]) {
        self.leaderships = leaderships
        tasks = Mutex(leaderships.map { leadership in Task { await leadership.run() } })
    }

    subscript(index: Int) -> LeaseLeadership { leaderships[index] }

    /// Cancels `index`'s run and waits until it returned (after releasing its lease).
    func stop(_ index: Int) async {
        let task = tasks.withLock { tasks in
            defer { tasks[index] = nil }
            return tasks[index]
        }
        task?.cancel()
        await task?.value
    }

    func stopAll() async {
        for index in leaderships.indices { await stop(index) }
    }

    deinit {
        for task in tasks.withLock({ $0 }) { task?.cancel() }
    }
}

/// The permits of several leaderships, read one after the other every few milliseconds for as
/// long as the sampling runs.
final class PermitTimeline: Sendable {
    struct Sample: Sendable {
        var at: ContinuousClock.Instant
        var tokens: [Int64?]
        var granted: Int { tokens.filter { $0 != nil }.count }
    }

    private let samples = Mutex<[Sample]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ leaderships: [LeaseLeadership], every interval: Duration = .milliseconds(20)) {
        let sampling = Task { [weak self] in
            while !Task.isCancelled {
                var tokens: [Int64?] = []
                for leadership in leaderships {
                    let permit = await leadership.publishingPermit()
                    tokens.append(permit.map { $0.fencingToken ?? 0 })
                }
                self?.samples.withLock { $0.append(Sample(at: .now, tokens: tokens)) }
                try? await Task.sleep(for: interval)
            }
        }
        task.withLock { $0 = sampling }
    }

    var all: [Sample] { samples.withLock { $0 } }

    /// Samples where more than one leadership had a permit.
    var overlaps: [Sample] { all.filter { $0.granted > 1 } }

    /// The first sample at or after `start` where `index` had a permit (or had none, with
    /// `granted: false`).
    func first(_ index: Int, granted: Bool, after start: ContinuousClock.Instant) -> Sample? {
        all.first { $0.at >= start && ($0.tokens[index] != nil) == granted }
    }

    /// The last sample where `index` had a permit.
    func last(_ index: Int, granted: Bool) -> Sample? {
        all.last { ($0.tokens[index] != nil) == granted }
    }

    func stop() async {
        let sampling = task.withLock { $0 }
        sampling?.cancel()
        await sampling?.value
    }

    deinit { task.withLock { $0 }?.cancel() }
}

enum LeaseTesting {
    /// Short enough for tests: renewals every second, deadline 2.7 s after a renewal was sent.
    static let ttl = 3.0

    static func settings(_ cluster: PostgresCluster, table: String = "lbd_lease") -> LeaseSettings {
        LeaseSettings(url: cluster.url, ttl: ttl, table: table)
    }

    static func leadership(
        _ cluster: PostgresCluster, instance: String, partition: String = "default",
        clock: any LeaseClock = SystemLeaseClock(), logger: Logger = CapturedLog().logger
    ) throws -> LeaseLeadership {
        try LeaseLeadership(
            settings: settings(cluster), partition: partition, instance: instance, logger: logger,
            clock: clock)
    }

    /// Polls `condition` every 20 ms for up to `timeout` seconds.
    static func eventually(timeout: Double, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    /// The index of the one leadership with a permit, once exactly one has one.
    static func holder(of leases: RunningLeases, timeout: Double = 15) async -> Int? {
        var found: Int?
        _ = await eventually(timeout: timeout) {
            var holders: [Int] = []
            for (index, leadership) in leases.leaderships.enumerated() {
                if await leadership.publishingPermit() != nil { holders.append(index) }
            }
            found = holders.count == 1 ? holders[0] : nil
            return found != nil
        }
        return found
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
