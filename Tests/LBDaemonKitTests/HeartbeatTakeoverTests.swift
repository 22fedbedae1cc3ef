import Foundation
import Testing

@testable import LBDaemonKit

/// The standby's decision in heartbeat mode, from observations at given times.
@Suite struct HeartbeatTakeoverTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// A standby started takeover_after ago: past the grace it gives a master at start.
    static func standby(holdDown: Double = 60) -> HeartbeatTakeover {
        HeartbeatTakeover(
            instance: "lbd-b", master: "lbd-a", takeoverAfter: 30, holdDown: holdDown, now: at(-30))
    }

    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    @Test func aStandbyStartsStandbyAndStaysSoWhileTheHeartbeatIsFresh() {
        var takeover = Self.standby()
        #expect(takeover.role == .standby)
        for second in 1...20 {
            #expect(takeover.observe(.fresh(age: 3), at: Self.at(Double(second) * 10)) == nil)
        }
        #expect(takeover.role == .standby)
        #expect(takeover.reason.contains("fresh"))
    }

    @Test(arguments: [
        (HeartbeatObservation.unreachable(reason: "connection refused"), "unreachable (connection refused)"),
        (.mismatch, "holds no line of the master lbd-a"),
        (.stale(age: 45), "45 s old, older than takeover_after 30 s"),
        (.stale(age: -120), "120 s in the future"),
    ])
    func aStandbyTakesOverAtOnceOnEachCause(_ observation: HeartbeatObservation, _ words: String) {
        var takeover = Self.standby()
        #expect(takeover.observe(.fresh(age: 1), at: Self.at(5)) == nil)
        let transition = takeover.observe(observation, at: Self.at(10))
        #expect(transition?.action == .takeover)
        #expect(transition?.role == .active)
        #expect(transition?.reason.contains(words) == true)
        #expect(transition?.reason.contains("lbd-a") == true)
        #expect(takeover.role == .active)
        #expect(takeover.since == Self.at(10))
    }

    @Test func aStandbyJustStartedWaitsTakeoverAfterForTheMastersFirstHeartbeat() {
        // Started together, the master writes its first heartbeat after its first round: the
        // standby must not publish meanwhile, but a master that never shows up is taken over.
        var takeover = HeartbeatTakeover(
            instance: "lbd-b", master: "lbd-a", takeoverAfter: 30, holdDown: 60, now: Self.start)
        #expect(takeover.observe(.unreachable(reason: "connection refused"), at: Self.at(1)) == nil)
        #expect(takeover.observe(.mismatch, at: Self.at(29)) == nil)
        #expect(takeover.role == .standby)
        #expect(takeover.reason.contains("waiting up to takeover_after 30 s"))
        #expect(takeover.observe(.mismatch, at: Self.at(30))?.action == .takeover)
    }

    @Test func classifyingAgesAgainstTakeoverAfter() {
        let now = Self.at(0)
        let stamp = Int64(Self.start.timeIntervalSince1970)
        #expect(
            HeartbeatObservation.classify(timestamp: stamp - 30, now: now, takeoverAfter: 30)
                == .fresh(age: 30))
        #expect(
            HeartbeatObservation.classify(timestamp: stamp - 31, now: now, takeoverAfter: 30)
                == .stale(age: 31))
        // A little skew is tolerated; a heartbeat from far in the future is not.
        #expect(
            HeartbeatObservation.classify(timestamp: stamp + 5, now: now, takeoverAfter: 30)
                == .fresh(age: -5))
        #expect(
            HeartbeatObservation.classify(timestamp: stamp + 31, now: now, takeoverAfter: 30)
                == .stale(age: -31))
        #expect(HeartbeatObservation.classify(timestamp: .max, now: now, takeoverAfter: 30) != .fresh(age: 0))
    }

    @Test func noHandBackBeforeTheHoldDownThenHandBack() {
        var takeover = Self.standby(holdDown: 60)
        _ = takeover.observe(.unreachable(reason: "timeout"), at: Self.at(0))
        for second in stride(from: 10.0, through: 60, by: 10) {
            #expect(takeover.observe(.fresh(age: 1), at: Self.at(second)) == nil, "at \(second) s")
            #expect(takeover.role == .active)
        }
        #expect(takeover.reason.contains("50 s of the 60 s hold-down"))
        let transition = takeover.observe(.fresh(age: 1), at: Self.at(70))
        #expect(transition?.action == .handback)
        #expect(transition?.role == .standby)
        #expect(transition?.reason.contains("fresh for 60 s (hold_down 60 s)") == true)
        #expect(takeover.role == .standby)
    }

    @Test func aFlappingLinkCausesNoPingPong() {
        var takeover = Self.standby(holdDown: 60)
        var transitions: [HeartbeatTakeover.Transition.Action] = []
        // Up 50 s, down one check, for ten minutes: each failure restarts the hold-down.
        for check in 0..<60 {
            let observation: HeartbeatObservation =
                check % 6 == 0 ? .unreachable(reason: "no route to host") : .fresh(age: 2)
            if let transition = takeover.observe(observation, at: Self.at(Double(check) * 10)) {
                transitions.append(transition.action)
            }
        }
        #expect(transitions == [.takeover])
        #expect(takeover.role == .active)
        #expect(takeover.freshSince == Self.at(590 - 40))
    }

    @Test func aStaleOrMismatchedHeartbeatRestartsTheHoldDownToo() {
        var takeover = Self.standby(holdDown: 30)
        _ = takeover.observe(.mismatch, at: Self.at(0))
        _ = takeover.observe(.fresh(age: 1), at: Self.at(10))
        _ = takeover.observe(.stale(age: 31), at: Self.at(20))
        #expect(takeover.observe(.fresh(age: 1), at: Self.at(30)) == nil)
        #expect(takeover.observe(.fresh(age: 1), at: Self.at(50)) == nil)
        #expect(takeover.observe(.fresh(age: 1), at: Self.at(60))?.action == .handback)
    }

    @Test func withoutHoldDownTheFirstFreshHeartbeatHandsBack() {
        var takeover = Self.standby(holdDown: 0)
        _ = takeover.observe(.mismatch, at: Self.at(0))
        #expect(takeover.observe(.fresh(age: 1), at: Self.at(10))?.action == .handback)
    }

    @Test func theMasterIsAlwaysActive() {
        var takeover = HeartbeatTakeover(
            instance: "lbd-a", master: "lbd-a", takeoverAfter: 30, holdDown: 60, now: Self.start)
        #expect(takeover.isMaster)
        #expect(takeover.role == .active)
        let observations: [HeartbeatObservation] = [
            .unreachable(reason: "x"), .mismatch, .stale(age: 100), .fresh(age: 1),
        ]
        for (index, observation) in observations.enumerated() {
            #expect(takeover.observe(observation, at: Self.at(Double(index))) == nil)
            #expect(takeover.role == .active)
        }
    }
}
