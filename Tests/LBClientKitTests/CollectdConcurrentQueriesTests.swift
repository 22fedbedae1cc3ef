import Synchronization
import Testing

@testable import LBClientKit

/// A collectdctl whose runs can wait for one another, recording how many ran at once.
private final class RendezvousCollectdctl: CommandRunning {
    private struct State {
        var started: Set<String> = []
        var finished: Set<String> = []
        var running = 0
        var mostAtOnce = 0
    }

    private let state = Mutex(State())
    /// For each identifier, the identifier whose run must have finished before it answers.
    private let waitsFor: [String: String]
    private let failing: Set<String>

    init(waitsFor: [String: String] = [:], failing: Set<String> = []) {
        self.waitsFor = waitsFor
        self.failing = failing
    }

    var mostAtOnce: Int { state.withLock { $0.mostAtOnce } }
    var started: Set<String> { state.withLock { $0.started } }

    func run(_ executable: String, arguments: [String], timeout: Duration) async throws -> CommandResult {
        let identifier = arguments[1]
        state.withLock {
            $0.started.insert(identifier)
            $0.running += 1
            $0.mostAtOnce = max($0.mostAtOnce, $0.running)
        }
        defer {
            state.withLock {
                $0.running -= 1
                $0.finished.insert(identifier)
            }
        }
        if let other = waitsFor[identifier] {
            var waited = 0
            while !state.withLock({ $0.finished.contains(other) }) {
                // Run one after the other, this would never end: report it instead of hanging.
                guard waited < 400 else {
                    return CommandResult(
                        termination: .exited(2), standardError: "\(other) never ran meanwhile\n")
                }
                waited += 1
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        if failing.contains(identifier) {
            return CommandResult(termination: .exited(1), standardError: "ERROR: \(identifier) broke\n")
        }
        return CommandResult(termination: .exited(0), standardOutput: "value=\(identifier.count)\n")
    }
}

@Suite("collectd references queried concurrently")
struct CollectdConcurrentQueriesTests {
    private func context(_ runner: RendezvousCollectdctl) -> CheckContext {
        CheckContext(
            system: SystemEnvironment(
                collectdctl: "/x/collectdctl", collectdSocket: "/nonexistent/collectd.sock"),
            commands: runner, timeout: .seconds(20))
    }

    @Test func theFirstFailingReferenceInExpressionOrderIsReported() async throws {
        // The first reference fails only after the second has failed.
        let runner = RendezvousCollectdctl(waitsFor: ["a/slow": "b/fast"], failing: ["a/slow", "b/fast"])
        let source = CollectdMetricSource()
        let error = await #expect(throws: CheckError.self) {
            try await source.values(for: ["a/slow", "b/fast"], in: context(runner))
        }
        #expect(error?.message == "/x/collectdctl getval a/slow failed (exit status 1): ERROR: a/slow broke")
    }

    @Test func referencesAreAskedAtOnceWithTheSameValues() async throws {
        // Each waits for the next one: only runs that overlap can answer.
        let runner = RendezvousCollectdctl(waitsFor: ["load/load": "memory/memory-free"])
        let values = try await CollectdMetricSource().values(
            for: ["load/load", "memory/memory-free", "load/load:value"], in: context(runner))
        #expect(values["load/load"] == .number(9))
        #expect(values["load/load:value"] == .number(9))
        #expect(values["memory/memory-free"] == .number(18))
        #expect(runner.mostAtOnce == 2)
    }

    @Test func atMostFourRunAtOnce() async throws {
        let identifiers = (1...9).map { "cpu/cpu-\($0)" }
        let runner = RendezvousCollectdctl(
            waitsFor: Dictionary(uniqueKeysWithValues: (0..<3).map { (identifiers[$0], identifiers[$0 + 3]) })
        )
        let values = try await CollectdMetricSource().values(for: identifiers, in: context(runner))
        #expect(values.count == 9)
        #expect(runner.mostAtOnce <= CollectdMetricSource.maximumConcurrentQueries)
        #expect(runner.mostAtOnce >= 2)
    }

    @Test func queriesAfterAKnownFailureAreNotStarted() async throws {
        let identifiers = (1...12).map { "df/df-\($0)" }
        // The others wait (for a query that never runs) until they are cancelled.
        let runner = RendezvousCollectdctl(
            waitsFor: Dictionary(uniqueKeysWithValues: identifiers.dropFirst().map { ($0, "never/asked") }),
            failing: [identifiers[0]])
        let error = await #expect(throws: CheckError.self) {
            try await CollectdMetricSource().values(for: identifiers, in: context(runner))
        }
        #expect(
            error?.message == "/x/collectdctl getval df/df-1 failed (exit status 1): ERROR: df/df-1 broke")
        #expect(runner.started.count == CollectdMetricSource.maximumConcurrentQueries)
    }
}
