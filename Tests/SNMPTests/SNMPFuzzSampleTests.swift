import LBCore
import SNMP
import Testing

/// A bounded sample of `lbbench fuzz` for SNMP, with the same mutator and seeds: the agent and
/// the client's decoders take mutated and random datagrams without crashing, and nothing the
/// agent sends is larger than a UDP datagram.
@Suite struct SNMPFuzzSampleTests {
    static let inputs = 3_000

    @Test(.timeLimit(.minutes(2))) func agentAnswersMutatedRequestsWithinADatagram() async {
        let probe = SNMPAgentFuzzProbe()
        let mutator = ByteMutator(maximumSize: 65_507)
        var generator = SeededRandomNumberGenerator(seed: 0xF0_22_01)
        var answered = 0
        for round in 0..<Self.inputs {
            let input = mutator.sampleInput(round, seeds: probe.seeds, using: &generator)
            if let reply = await probe.reply(to: input) {
                #expect(reply.count <= 65_507)
                answered += 1
            }
        }
        // The unmutated seeds alone are answered; a fuzzer that only sends rejects tests little.
        #expect(answered >= probe.seeds.count)
    }

    @Test(.timeLimit(.minutes(2))) func clientDecodesMutatedResponsesWithBoundedOutput() {
        let probe = SNMPResponseFuzzProbe()
        let mutator = ByteMutator(maximumSize: 65_507)
        var generator = SeededRandomNumberGenerator(seed: 0xF0_22_02)
        var decoded = 0
        for round in 0..<Self.inputs {
            let input = mutator.sampleInput(round, seeds: probe.seeds, using: &generator)
            let bindings = probe.decode(input)
            // Each variable binding takes at least 4 octets on the wire.
            #expect(bindings <= input.count / 4)
            if bindings > 0 { decoded += 1 }
        }
        #expect(decoded >= probe.seeds.count)
    }

}
