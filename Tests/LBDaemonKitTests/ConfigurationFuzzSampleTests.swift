import LBCore
import LBDaemonKit
import Testing

/// A bounded sample of `lbbench fuzz` for the three configuration formats, with the same mutator
/// and seeds: every mutated file loads or is refused with errors, and the messages stay in
/// proportion to the file.
@Suite struct ConfigurationFuzzSampleTests {
    static let inputs = 1_000

    @Test(.timeLimit(.minutes(3)), arguments: ConfigurationFormat.allCases)
    func mutatedFilesLoadOrFailWithBoundedMessages(format: ConfigurationFormat) {
        let seeds = ConfigurationFuzzSeeds.seeds(format).map { Array($0.utf8) }
        let mutator = ByteMutator(maximumSize: 8_192, tokens: ConfigurationFuzzSeeds.tokens)
        var generator = SeededRandomNumberGenerator(seed: 0xC0_F1 &+ UInt64(format.rawValue.count))
        var loaded = 0
        for round in 0..<Self.inputs {
            let input = mutator.sampleInput(round, seeds: seeds, using: &generator)
            do {
                _ = try ConfigurationLoader.parse(
                    String(decoding: input, as: UTF8.self), file: "fuzz", format: format)
                loaded += 1
            } catch {
                #expect(!error.errors.isEmpty)
                let size = error.issues.reduce(0) { $0 + $1.description.utf8.count }
                #expect(size <= 32 * (input.count + 256), "round \(round)")
            }
        }
        #expect(loaded >= seeds.count)
    }
}
