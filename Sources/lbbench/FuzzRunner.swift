import Foundation
import LBCore

/// The inputs that cost the most CPU per octet so far, mutated preferentially: a simple hill
/// climb toward the most expensive message rather than only toward crashes.
///
/// Invariant: at most `capacity` entries; the cheapest is the one replaced.
struct CostCorpus {
    struct Entry {
        var input: [UInt8]
        var costPerOctet: Double
    }

    let capacity: Int
    private(set) var entries: [Entry] = []

    /// The cost an input must beat to enter.
    var threshold: Double {
        entries.count < capacity ? 0 : entries.map(\.costPerOctet).min() ?? 0
    }

    /// CPU per octet, with inputs under 64 octets counted as 64: otherwise the fixed cost of a
    /// call makes the shortest inputs look the most expensive.
    static func costPerOctet(_ nanoseconds: UInt64, count: Int) -> Double {
        Double(nanoseconds) / Double(max(64, count))
    }

    mutating func offer(_ input: [UInt8], costPerOctet: Double) {
        guard costPerOctet > threshold else { return }
        if entries.count < capacity {
            entries.append(Entry(input: input, costPerOctet: costPerOctet))
        } else if let cheapest = entries.indices.min(by: {
            entries[$0].costPerOctet < entries[$1].costPerOctet
        }) {
            entries[cheapest] = Entry(input: input, costPerOctet: costPerOctet)
        }
    }
}

/// Runs inputs `start..<end` of one target in this process (the child side of `lbbench fuzz`).
struct FuzzRunner {
    let target: FuzzTarget
    let seed: UInt64
    let state: FuzzSharedState
    let resultPath: String
    let wallClockLimit: Duration?

    func run(start: Int, end: Int) async throws {
        // A segment restarted after a crash draws different inputs from the same run seed.
        var generator = SeededRandomNumberGenerator(seed: seed &+ UInt64(start) &* 0x9E37_79B9_7F4A_7C15)
        var corpus = CostCorpus(capacity: 16)
        var result = FuzzSegmentResult()
        let began = ContinuousClock.now
        state.completed = 0
        for index in start..<end {
            let (input, origin) = nextInput(corpus: corpus, using: &generator)
            state.setCurrent(input)
            let before = processCPUNanoseconds()
            let output = await target.run(input)
            let spent = processCPUNanoseconds() &- before
            result.inputs += 1
            result.totalCPUNanoseconds &+= spent
            result.largestOutput = max(result.largestOutput, output)
            let perOctet = CostCorpus.costPerOctet(spent, count: input.count)
            if spent > result.worstCPUNanoseconds || perOctet > corpus.threshold {
                // One timing can be a preemption: an input counts by the least of three runs.
                let cost = await measure(input, first: spent)
                let confirmedPerOctet = CostCorpus.costPerOctet(cost, count: input.count)
                if cost > result.worstCPUNanoseconds {
                    result.worstCPUNanoseconds = cost
                    result.worstInput = input
                    result.worstOrigin = "input \(index): \(origin)"
                }
                if confirmedPerOctet > result.worstPerByteNanoseconds {
                    result.worstPerByteNanoseconds = confirmedPerOctet
                    result.worstPerByteInput = input
                }
                corpus.offer(input, costPerOctet: confirmedPerOctet)
            }
            state.completed = UInt64(index - start + 1)
            if index & 1023 == 0 {
                state.peakRSSKiB = peakRSSKiB()
                if let wallClockLimit, ContinuousClock.now - began > wallClockLimit { break }
            }
            if index & 0xFFFF == 0xFFFF {
                result.peakRSSKiB = peakRSSKiB()
                try write(result)
            }
        }
        result.peakRSSKiB = peakRSSKiB()
        state.peakRSSKiB = result.peakRSSKiB
        try write(result)
    }

    private func measure(_ input: [UInt8], first: UInt64) async -> UInt64 {
        var least = first
        for _ in 0..<2 {
            let before = processCPUNanoseconds()
            _ = await target.run(input)
            least = min(least, processCPUNanoseconds() &- before)
        }
        return least
    }

    /// A mutated seed, a mutated member of the costly corpus, or random bytes; and how it was made.
    private func nextInput(
        corpus: CostCorpus, using generator: inout SeededRandomNumberGenerator
    ) -> ([UInt8], String) {
        let roll = Int(generator.next() % 100)
        if roll < 10 {
            return (target.mutator.randomInput(using: &generator), "random")
        }
        let partners = target.seeds + corpus.entries.map(\.input)
        let partner = partners[Int(generator.next() % UInt64(partners.count))]
        var input: [UInt8]
        var origin: String
        if roll < 50, !corpus.entries.isEmpty {
            let pick = Int(generator.next() % UInt64(corpus.entries.count))
            input = corpus.entries[pick].input
            origin = "costly corpus entry"
        } else {
            let pick = Int(generator.next() % UInt64(target.seeds.count))
            input = target.seeds[pick]
            origin = "seed \(pick)"
        }
        let steps = target.mutator.mutate(&input, partner: partner, using: &generator)
        return (input, origin + " + " + steps.map(\.rawValue).joined(separator: ", "))
    }

    private func write(_ result: FuzzSegmentResult) throws {
        try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: resultPath))
    }
}
