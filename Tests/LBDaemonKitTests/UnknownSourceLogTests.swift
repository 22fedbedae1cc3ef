import LBCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// Push notifications from unknown sources are logged once a minute per source, in a table of
/// bounded size, whatever a scan or a spray of spoofed sources sends.
@Suite struct UnknownSourceLogTests {
    final class Clock: Sendable {
        let start = ContinuousClock.now
        private let offset = Mutex(Duration.zero)
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(by duration: Duration) { offset.withLock { $0 += duration } }
    }

    private func note(_ log: UnknownSourceLog, _ last: UInt32) {
        log.note("192.0.2.\(last)", address: .ipv4(0xC000_0200 | last), because: "no member")
    }

    private func lines(_ captured: CapturedLog, _ last: UInt32) -> Int {
        captured.all.filter { $0.contains("unknown source 192.0.2.\(last):") }.count
    }

    @Test func aSourceIsLoggedOnceAnInterval() {
        let captured = CapturedLog()
        let clock = Clock()
        let log = UnknownSourceLog(logger: captured.logger, interval: .seconds(60), now: { clock.now })
        note(log, 1)
        note(log, 1)
        clock.advance(by: .seconds(59))
        note(log, 1)
        #expect(lines(captured, 1) == 1)
        clock.advance(by: .seconds(1))
        note(log, 1)
        #expect(lines(captured, 1) == 2)
    }

    @Test func aFullTableLogsNewSourcesAgainOnceItsOldestEntryExpires() {
        let captured = CapturedLog()
        let clock = Clock()
        let log = UnknownSourceLog(
            logger: captured.logger, interval: .seconds(60), capacity: 2, now: { clock.now })
        note(log, 1)
        clock.advance(by: .seconds(10))
        note(log, 2)
        // Full: new sources are not logged (nor remembered) until an entry expires.
        for last in UInt32(3)...20 { note(log, last) }
        clock.advance(by: .seconds(49))
        note(log, 21)
        #expect(captured.all.count == 2)
        // 192.0.2.1's entry is a minute old: its place goes to the next new source.
        clock.advance(by: .seconds(1))
        note(log, 22)
        note(log, 23)
        #expect(lines(captured, 22) == 1)
        #expect(lines(captured, 23) == 0)
        // And 192.0.2.2's ten seconds later.
        clock.advance(by: .seconds(10))
        note(log, 23)
        #expect(lines(captured, 23) == 1)
        #expect(captured.all.count == 4)
    }
}
