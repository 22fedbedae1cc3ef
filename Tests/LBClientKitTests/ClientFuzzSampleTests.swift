import LBClientKit
import LBCore
import Testing

/// A bounded sample of `lbbench fuzz` for lbclient's readers (configuration file, lbaliases,
/// expressions, lemon-cli and collectdctl outputs), with the same mutator and seeds: no input
/// crashes them, and what they produce stays in proportion to the input.
@Suite struct ClientFuzzSampleTests {
    static let inputs = 2_000

    static let readers: [(name: String, seeds: [String], maximumSize: Int, read: @Sendable (String) -> Int)] =
        [
            ("config", ClientFuzzProbes.configSeeds, 8_192, ClientFuzzProbes.readConfigFile),
            ("aliases", ClientFuzzProbes.aliasSeeds, 8_192, ClientFuzzProbes.readAliasList),
            ("expression", ClientFuzzProbes.expressionSeeds, 1_024, ClientFuzzProbes.evaluateExpression),
            ("lemon", ClientFuzzProbes.lemonSeeds, 8_192, ClientFuzzProbes.readLemonOutput),
            ("collectd", ClientFuzzProbes.collectdSeeds, 8_192, ClientFuzzProbes.readCollectdOutput),
        ]

    @Test(.timeLimit(.minutes(3)), arguments: 0..<readers.count)
    func mutatedInputsGiveBoundedOutput(reader index: Int) {
        let reader = Self.readers[index]
        let seeds = reader.seeds.map { Array($0.utf8) }
        let mutator = ByteMutator(maximumSize: reader.maximumSize, tokens: ClientFuzzProbes.tokens)
        var generator = SeededRandomNumberGenerator(seed: 0xC1_00 &+ UInt64(index))
        for round in 0..<Self.inputs {
            let input = mutator.sampleInput(round, seeds: seeds, using: &generator)
            let output = reader.read(String(decoding: input, as: UTF8.self))
            #expect(output <= 32 * (input.count + 256), "\(reader.name) round \(round)")
        }
    }

    /// The input `lbbench fuzz` found: 13,000 form feeds after a value took collectd's reader
    /// over a second, because trimming a line dropped one character at a time.
    @Test(.timeLimit(.minutes(1))) func collectdLineOfTrailingBlanksIsReadInLinearTime() {
        let line = "value=1" + String(repeating: "\u{0C}", count: 200_000)
        let started = ContinuousClock.now
        #expect(ClientFuzzProbes.readCollectdOutput(line) > 0)
        // Quadratic trimming took minutes at this length; linear takes milliseconds.
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
