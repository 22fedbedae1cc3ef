import LBCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// The hand-over of reports from the poller's workers to the engine.
@Suite struct ReportInboxTests {
    private static func report(_ node: String) -> NodeReport {
        NodeReport(node: node, addresses: [], resolutionFailure: "test")
    }

    @Test func reportsDeliveredBeforeTheEngineLooksComeTogetherInOrder() async {
        let inbox = ReportInbox<NodeReport>()
        inbox.deliver(Self.report("a"))
        inbox.deliver(Self.report("b"))
        let first = await inbox.next()
        #expect(first?.reports.map(\.node) == ["a", "b"])
        #expect(first?.allPollsStarted == false)
        inbox.allPollsStarted()
        inbox.deliver(Self.report("c"))
        inbox.finish()
        let second = await inbox.next()
        #expect(second?.reports.map(\.node) == ["c"])
        #expect(second?.allPollsStarted == true)
        // Finished and emptied: the end, every time it is asked.
        #expect(await inbox.next() == nil)
        #expect(await inbox.next() == nil)
    }

    @Test func aWaitingEngineIsWokenByAReportTheLastPollsStartAndTheEnd() async {
        let inbox = ReportInbox<NodeReport>()
        let woken = Wakings()
        let engine = Task {
            while let arrived = await inbox.next() {
                let what = arrived.reports.isEmpty ? "started" : arrived.reports.map(\.node).joined()
                woken.add(what)
            }
            woken.add("end")
        }
        // Each step once the engine has taken the previous one, so that it waits each time.
        func waitFor(_ count: Int) async {
            for _ in 0..<1000 where woken.all.count < count {
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        try? await Task.sleep(for: .milliseconds(20))
        inbox.deliver(Self.report("a"))
        await waitFor(1)
        inbox.allPollsStarted()
        await waitFor(2)
        inbox.deliver(Self.report("b"))
        await waitFor(3)
        inbox.finish()
        await engine.value
        #expect(woken.all == ["a", "started", "b", "end"])
    }

    @Test func theLastPollsStartIsToldEvenWhenTheEngineWasBusyThen() async {
        let inbox = ReportInbox<NodeReport>()
        // Nobody waits when the last poll starts: the engine is deciding, say.
        inbox.allPollsStarted()
        let looking = Task { await inbox.next() }
        let answered = Wakings()
        Task {
            _ = await looking.value
            answered.add("told")
        }
        for _ in 0..<500 where answered.all.isEmpty { try? await Task.sleep(for: .milliseconds(2)) }
        // Without the news the engine would sit until the next answer or the end (a dead node's
        // timeout away): unblock it then, and fail.
        #expect(answered.all == ["told"], "next() waited although the last poll had started")
        inbox.finish()
        let told = await looking.value
        #expect(told?.reports.isEmpty == true)
        #expect(told?.allPollsStarted == true)
        // Told once: the next call waits for reports again.
        let waiting = Task { await inbox.next() }
        #expect(await waiting.value == nil)
    }

    @Test func manyWorkersDeliveringAtOnceLoseNoReport() async {
        let inbox = ReportInbox<NodeReport>()
        let nodes = (0..<2000).map { "node\($0)" }
        let engine = Task {
            var seen: [String] = []
            while let arrived = await inbox.next() { seen += arrived.reports.map(\.node) }
            return seen
        }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: nodes.count, by: 8) {
                        inbox.deliver(Self.report(nodes[index]))
                    }
                }
            }
        }
        inbox.finish()
        let seen = await engine.value
        #expect(seen.count == nodes.count)
        #expect(Set(seen) == Set(nodes))
    }
}

/// What woke the engine, in order.
private final class Wakings: Sendable {
    private let log = Mutex<[String]>([])
    func add(_ what: String) { log.withLock { $0.append(what) } }
    var all: [String] { log.withLock { $0 } }
}
