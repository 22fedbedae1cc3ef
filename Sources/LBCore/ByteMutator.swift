/// Makes fuzz inputs from valid seeds: stacked byte-level mutations (bit flips, byte inserts and
/// deletes, splices with another input, length-field tweaks, repeated blocks, truncation) and
/// purely random inputs. Pure and deterministic: the same generator state gives the same input,
/// so `lbbench fuzz` and the fuzz sample tests share it and a seed reproduces a run.
///
/// Invariant: no input it returns is longer than `maximumSize`.
public struct ByteMutator: Sendable {
    /// The kinds of change one mutation step makes.
    public enum Operation: String, CaseIterable, Sendable {
        case flipBit, setInterestingByte, setRandomByte, insertBytes, insertToken, deleteRange
        case splice, tweakLengthField, repeatBlock, truncate
    }

    /// The longest input produced; longer results are cut.
    public var maximumSize: Int
    /// Fragments worth inserting whole: keywords and separators of a text format, tags of a
    /// binary one.
    public var tokens: [[UInt8]]

    /// Values that sit on the boundaries decoders test: BER long-form length octets, DNS
    /// compression pointer tags, sign bits.
    private static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0x82, 0x84, 0xC0, 0xFE, 0xFF, 0x30, 0x0A, 0x20,
    ]

    public init(maximumSize: Int = 65_536, tokens: [[UInt8]] = []) {
        precondition(maximumSize > 0)
        self.maximumSize = maximumSize
        self.tokens = tokens
    }

    /// `input` changed by one to four stacked steps; `partner` is spliced from. Returns the
    /// steps taken, to describe the result.
    @discardableResult
    public func mutate<Generator: RandomNumberGenerator>(
        _ input: inout [UInt8], partner: [UInt8], using generator: inout Generator
    ) -> [Operation] {
        // Mostly one or two steps: many stacked steps turn any seed into noise.
        let steps = [1, 1, 1, 2, 2, 3, 4][generator.uniformIndex(below: 7)]
        var taken: [Operation] = []
        for _ in 0..<steps {
            let operation = Operation.allCases[generator.uniformIndex(below: Operation.allCases.count)]
            apply(operation, to: &input, partner: partner, using: &generator)
            taken.append(operation)
        }
        if input.count > maximumSize { input.removeSubrange(maximumSize...) }
        return taken
    }

    /// Input `round` of a bounded fuzz sample: the seeds once each, then one random input in ten
    /// and mutations of the seeds (each spliced with another seed) for the rest. The tests of
    /// every decoder draw their samples this way, so they are comparable.
    public func sampleInput<Generator: RandomNumberGenerator>(
        _ round: Int, seeds: [[UInt8]], using generator: inout Generator
    ) -> [UInt8] {
        if round < seeds.count { return seeds[round] }
        if round % 10 == 0 { return randomInput(using: &generator) }
        var input = seeds[round % seeds.count]
        mutate(&input, partner: seeds[(round / 7) % seeds.count], using: &generator)
        return input
    }

    /// Random bytes of a random length, mostly short: the decoder's first checks must reject
    /// them all cheaply.
    public func randomInput<Generator: RandomNumberGenerator>(using generator: inout Generator) -> [UInt8] {
        let ceiling = [16, 256, 4_096, maximumSize][generator.uniformIndex(below: 4)]
        let count = generator.uniformIndex(below: min(ceiling, maximumSize) + 1)
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }

    /// Applies one step; exposed so that tests can check each step keeps inputs in bounds.
    public func apply<Generator: RandomNumberGenerator>(
        _ operation: Operation, to input: inout [UInt8], partner: [UInt8], using generator: inout Generator
    ) {
        if input.isEmpty {
            // Only growth makes sense for an empty input.
            switch operation {
            case .insertToken: insertToken(into: &input, at: 0, using: &generator)
            case .splice: input = partner
            default: input = [UInt8(truncatingIfNeeded: generator.next())]
            }
            return
        }
        let position = generator.uniformIndex(below: input.count)
        switch operation {
        case .flipBit:
            input[position] ^= UInt8(1) << UInt8(generator.uniformIndex(below: 8))
        case .setInterestingByte:
            input[position] =
                Self.interestingBytes[generator.uniformIndex(below: Self.interestingBytes.count)]
        case .setRandomByte:
            input[position] = UInt8(truncatingIfNeeded: generator.next())
        case .insertBytes:
            let count = 1 + generator.uniformIndex(below: 8)
            input.insert(
                contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: position
            )
        case .insertToken:
            insertToken(into: &input, at: position, using: &generator)
        case .deleteRange:
            let count = 1 + generator.uniformIndex(below: min(16, input.count - position))
            input.removeSubrange(position..<(position + count))
        case .splice:
            splice(&input, at: position, partner: partner, using: &generator)
        case .tweakLengthField:
            tweakLength(&input, at: position, using: &generator)
        case .repeatBlock:
            repeatBlock(&input, at: position, using: &generator)
        case .truncate:
            input.removeSubrange(position...)
        }
    }

    private func insertToken<Generator: RandomNumberGenerator>(
        into input: inout [UInt8], at position: Int, using generator: inout Generator
    ) {
        guard !tokens.isEmpty else {
            input.insert(
                Self.interestingBytes[generator.uniformIndex(below: Self.interestingBytes.count)],
                at: position)
            return
        }
        input.insert(contentsOf: tokens[generator.uniformIndex(below: tokens.count)], at: position)
    }

    /// The head of `input` up to `position`, then a piece of `partner` (its tail or a block).
    private func splice<Generator: RandomNumberGenerator>(
        _ input: inout [UInt8], at position: Int, partner: [UInt8], using generator: inout Generator
    ) {
        guard !partner.isEmpty else { return }
        let start = generator.uniformIndex(below: partner.count)
        if generator.uniformIndex(below: 2) == 0 {
            input.replaceSubrange(position..., with: partner[start...])
        } else {
            let count = 1 + generator.uniformIndex(below: min(64, partner.count - start))
            input.insert(contentsOf: partner[start..<(start + count)], at: position)
        }
    }

    /// Rewrites the byte (or two) at `position` as if it were a length: the true remaining
    /// count, one off it, zero, the maximum, or a BER long form claiming far more.
    private func tweakLength<Generator: RandomNumberGenerator>(
        _ input: inout [UInt8], at position: Int, using generator: inout Generator
    ) {
        let remaining = input.count - position - 1
        switch generator.uniformIndex(below: 6) {
        case 0: input[position] = UInt8(truncatingIfNeeded: min(remaining, 255))
        case 1: input[position] = UInt8(truncatingIfNeeded: min(remaining, 255) &+ 1)
        case 2: input[position] = UInt8(truncatingIfNeeded: max(remaining, 1) &- 1)
        case 3:
            // A 16-bit big-endian field (DNS counts, TCP frame lengths).
            guard position + 1 < input.count else { return }
            let value = [0, 1, 0xFFFF, UInt16(clamping: remaining - 1)][generator.uniformIndex(below: 4)]
            input[position] = UInt8(value >> 8)
            input[position + 1] = UInt8(value & 0xFF)
        case 4:
            input.replaceSubrange(position...position, with: [0x84, 0x7F, 0xFF, 0xFF, 0xFF])
        default:
            input.replaceSubrange(
                position...position, with: [0x82, UInt8(remaining >> 8 & 0xFF), UInt8(remaining & 0xFF)])
        }
    }

    /// Copies a block of `input` 2 to 256 times in place: long runs of labels, pointers, list
    /// items or nesting.
    private func repeatBlock<Generator: RandomNumberGenerator>(
        _ input: inout [UInt8], at position: Int, using generator: inout Generator
    ) {
        let length = 1 + generator.uniformIndex(below: min(64, input.count - position))
        let block = input[position..<(position + length)]
        let room = max(0, maximumSize - input.count) / length
        let times = min(1 + generator.uniformIndex(below: 256), room)
        guard times > 0 else { return }
        var repeated: [UInt8] = []
        repeated.reserveCapacity(length * times)
        for _ in 0..<times { repeated.append(contentsOf: block) }
        input.insert(contentsOf: repeated, at: position)
    }
}
