import LBCore
import Testing

/// The fuzz mutator is deterministic and keeps inputs within its maximum size, whatever step it
/// takes.
@Suite struct ByteMutatorTests {
    @Test func everyStepKeepsInputsWithinTheMaximum() {
        let mutator = ByteMutator(maximumSize: 300, tokens: [[1, 2, 3]])
        var generator = SeededRandomNumberGenerator(seed: 7)
        var input = Array(0..<UInt8(200))
        for round in 0..<20_000 {
            mutator.mutate(&input, partner: Array(repeating: 0xAA, count: 280), using: &generator)
            #expect(input.count <= 300, "round \(round)")
            if input.isEmpty || round % 50 == 0 { input = Array(0..<UInt8(200)) }
        }
        for _ in 0..<1_000 { #expect(mutator.randomInput(using: &generator).count <= 300) }
    }

    @Test func theSameSeedGivesTheSameInputs() {
        let mutator = ByteMutator()
        func run() -> [[UInt8]] {
            var generator = SeededRandomNumberGenerator(seed: 42)
            return (0..<100).map { _ in
                var input: [UInt8] = Array("check nologin".utf8)
                mutator.mutate(&input, partner: [9, 9, 9], using: &generator)
                return input
            }
        }
        #expect(run() == run())
        #expect(Set(run()).count > 50)
    }

    @Test func everyOperationChangesAnInput() {
        let mutator = ByteMutator(maximumSize: 10_000, tokens: [[0xEE]])
        for operation in ByteMutator.Operation.allCases {
            var generator = SeededRandomNumberGenerator(seed: 3)
            var changed = false
            for _ in 0..<20 {
                var input: [UInt8] = Array(repeating: 0x11, count: 40)
                mutator.apply(operation, to: &input, partner: [0x22, 0x33], using: &generator)
                if input != Array(repeating: 0x11, count: 40) { changed = true }
            }
            #expect(changed, "\(operation)")
        }
    }
}
