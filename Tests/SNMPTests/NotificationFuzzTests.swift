import LBCore
import LBTestSupport
import NIOCore
import Testing

@testable import SNMP

/// Random and mutated datagrams for the notification listener: each one is dropped, reported or
/// delivered, and counted exactly once; nothing crashes or hangs, and a valid INFORM still gets
/// through afterwards.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NotificationFuzzTests {
    typealias Fixture = NotificationFixture

    @Test func theProbeAcceptsItsSeedsAndSurvivesMutations() {
        let probe = SNMPNotificationFuzzProbe()
        for seed in probe.seeds {
            #expect(probe.receive(seed) > 0)
        }
        let mutator = ByteMutator(maximumSize: 65_507)
        var generator = SeededRandomNumberGenerator(seed: 0xF0_22_03)
        for round in 0..<3_000 {
            let input = mutator.sampleInput(round, seeds: probe.seeds, using: &generator)
            // Nothing it makes is bigger than a datagram.
            #expect(probe.receive(input) <= 65_507)
        }
    }

    @Test func everyDatagramIsCountedOnce() throws {
        let counters = NotificationCounters()
        // The probe's engine, users and community, so that its seeds are accepted.
        let receiver = NotificationReceiver(
            configuration: SNMPNotificationListenerConfiguration(
                port: 0, users: SNMPAgentFuzzProbe.users, communities: [SNMPAgentFuzzProbe.community],
                engineID: SNMPAgentFuzzProbe.engineID),
            keyCache: USMKeyCache(), counters: counters)
        let probe = SNMPNotificationFuzzProbe()
        let source = try SocketAddress(ipAddress: "127.0.0.1", port: 40_000)
        let mutator = ByteMutator(maximumSize: 4_096)
        var generator = SeededRandomNumberGenerator(seed: 0xF0_22_04)
        var delivered = 0
        for round in 0..<2_000 {
            let input: [UInt8]
            if round % 4 == 0 {
                input = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                input = mutator.sampleInput(round, seeds: probe.seeds, using: &generator)
            }
            let before = Fixture.outcomes(counters.snapshot)
            let outcome = receiver.receive(input, from: source, engineTime: 1_000)
            let counted = Fixture.outcomes(counters.snapshot) - before
            switch outcome {
            case .drop, .report:
                #expect(counted == 1, "input \(round) was not counted once")
            case .deliver:
                // Acceptance is counted by the listener, once the consumer has it.
                #expect(counted == 0)
                delivered += 1
            }
        }
        // Mutations that leave a message intact still go through (a fuzzer that only exercises
        // rejection tests little).
        #expect(delivered > 0)
    }

    @Test func aLiveListenerTakesGarbageAndStillAcceptsAnInform() async throws {
        let (listener, port, collector) = try await Fixture.startListener()
        defer { Task { await listener.stop() } }
        let probe = SNMPNotificationFuzzProbe()
        let mutator = ByteMutator(maximumSize: 2_048)
        var generator = SeededRandomNumberGenerator(seed: 0xF0_22_05)
        let socket = try TestUDPSocket()
        let sent = 400
        for round in 0..<sent {
            socket.send(mutator.sampleInput(round, seeds: probe.seeds, using: &generator), to: port)
            if round % 50 == 49 { try await Task.sleep(for: .milliseconds(5)) }
        }
        await Fixture.eventually { listener.statistics.datagramsReceived >= UInt64(sent) }
        let statistics = listener.statistics
        #expect(statistics.datagramsReceived == UInt64(sent))
        #expect(Fixture.outcomes(statistics) == statistics.datagramsReceived)
        let sender = try await Fixture.sender(port: port, credentials: .user(Fixture.privUser))
        defer { Task { await sender.shutdown() } }
        try await sender.send(Fixture.notificationOID, Fixture.bindings)
        #expect(await collector.wait(count: 1).contains { $0.securityName == Fixture.privUser.name })
    }
}
