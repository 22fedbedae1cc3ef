/// A deterministic random number generator (SplitMix64): the same seed gives the same tie-breaks,
/// so `lbd simulate --seed` and tests are reproducible.
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform index in `0..<bound`, by rejection sampling. Written out rather than taken from
    /// the standard library so that seeded results do not change with the toolchain.
    mutating func uniformIndex(below bound: Int) -> Int {
        precondition(bound > 0)
        let range = UInt64(bound)
        let limit = UInt64.max - UInt64.max % range
        while true {
            let value = next()
            if value < limit { return Int(value % range) }
        }
    }

    /// `elements` in a uniformly random order (Fisher-Yates).
    mutating func shuffled<T>(_ elements: [T]) -> [T] {
        var result = elements
        shuffle(&result)
        return result
    }

    /// Puts `elements` in a uniformly random order in place (Fisher-Yates), drawing as
    /// `shuffled` does.
    mutating func shuffle<T>(_ elements: inout [T]) {
        var index = elements.count - 1
        while index > 0 {
            elements.swapAt(index, uniformIndex(below: index + 1))
            index -= 1
        }
    }
}
