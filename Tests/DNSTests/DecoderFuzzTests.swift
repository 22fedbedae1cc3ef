import LBCore
import Testing

@testable import DNS

/// Random and mutated packets through the decoder and the TSIG verifier: whatever the bytes, the
/// result is a value or a typed error, never a crash or a hang.
@Suite struct DecoderFuzzTests {
    static func seeds() throws -> [[UInt8]] {
        var update = DNSUpdate(zone: name("lb.example.org"), id: 3)
        update.requireNameInUse(name("web.lb.example.org"))
        update.add(name("web.lb.example.org"), ttl: 60, data: .aaaa(IPv6Address("2001:db8::5")!))
        let signed = try TSIGTests.signer().sign(update.message).bytes
        let records = DNSMessage(
            id: 4, isResponse: true, answers: RecordRoundTripTests.records,
            edns: EDNS(options: [EDNSOption(code: 8, data: [0, 1])]))
        return [WireVectorTests.query, WireVectorTests.response, signed, try records.encode()]
    }

    private func exercise(_ bytes: [UInt8]) {
        if let message = try? DNSMessage(decoding: bytes) {
            // Whatever decodes must encode again.
            _ = try? message.encode()
        }
        _ = try? TSIGTests.verifier().verify(bytes)
    }

    @Test(.timeLimit(.minutes(2))) func twentyThousandPacketsNeverCrash() throws {
        var generator = SeededRandomNumberGenerator(seed: 0x5EED)
        let seeds = try Self.seeds()
        var decoded = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                let count = Int.random(in: 0..<300, using: &generator)
                bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                // Plausible counts make the decoder go past the header more often.
                if bytes.count > 12 {
                    for index in [5, 7, 9, 11] { bytes[index] = UInt8.random(in: 0...3, using: &generator) }
                    for index in [4, 6, 8, 10] { bytes[index] = 0 }
                }
            } else {
                bytes = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
                Self.mutate(&bytes, using: &generator)
            }
            exercise(bytes)
            if (try? DNSMessage(decoding: bytes)) != nil { decoded += 1 }
        }
        // The mutations must leave some packets valid, or the fuzzer only tests the header.
        #expect(decoded > 100)
    }

    static func mutate(_ bytes: inout [UInt8], using generator: inout SeededRandomNumberGenerator) {
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            guard !bytes.isEmpty else { return }
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 2: bytes.removeSubrange(index...)
            case 3: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
            // Compression pointers anywhere, the hardest case for name decoding.
            case 4: bytes[index] = 0xC0 | UInt8.random(in: 0...0x3F, using: &generator)
            default:
                if index + 1 < bytes.count { bytes[index + 1] = UInt8.random(in: 0...255, using: &generator) }
            }
        }
    }
}
