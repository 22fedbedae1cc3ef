import LBCore
import Testing

@testable import SNMP

@Suite struct OIDTests {
    @Test func parsesWithAndWithoutLeadingDot() {
        #expect(OID(".1.3.6.1.4.1.96.255.1")?.arcs == [1, 3, 6, 1, 4, 1, 96, 255, 1])
        #expect(OID("1.3.6")?.description == ".1.3.6")
        #expect(OID("1.3.6") == OID(".1.3.6"))
    }

    @Test func formatsWithALeadingDotAsNetSNMPDoes() {
        #expect(OID(arcs: [1, 3, 6, 1, 4, 1, 96, 255, 1])?.description == ".1.3.6.1.4.1.96.255.1")
        #expect(OID(arcs: [0, 0])?.description == ".0.0")
        #expect(OID(arcs: [2, 999, .max])?.description == ".2.999.4294967295")
    }

    @Test(arguments: [
        "", ".", "..", "1", ".1", "3.1", "4.0.1", "1.40", "0.40", "1.3.", "1..3", "..1.3", "1.3..", "a.b",
        "1.3.x", " 1.3", "1.3 ", "1.3.-1", "1.3.+1", "1,3", "1.3.4294967296", "1.3.99999999999999999999",
        "1.3.6\n", "1.3.٦",
    ])
    func refusesMalformedText(text: String) {
        #expect(OID(text) == nil)
    }

    @Test func acceptsTheLargestArc() {
        #expect(OID("1.3.4294967295")?.arcs == [1, 3, .max])
    }

    @Test func acceptsTheFirstTwoArcsThatBERCanEncode() {
        #expect(OID("0.39") != nil)
        #expect(OID("1.39") != nil)
        #expect(OID("2.40") != nil)
        #expect(OID("2.999.3") != nil)
        #expect(OID(arcs: [1, 40]) == nil)
        #expect(OID(arcs: [3, 1]) == nil)
        #expect(OID(arcs: [1]) == nil)
        #expect(OID(arcs: []) == nil)
    }

    @Test func limitsTheNumberOfArcsTo128() {
        #expect(OID(arcs: [1, 3] + Array(repeating: 1, count: 126)) != nil)
        #expect(OID(arcs: [1, 3] + Array(repeating: 1, count: 127)) == nil)
    }

    @Test func ordersLexicographicallyByArcAsGetNextWalks() {
        let texts = [".1.3.6.1.4.1.96.255.1", ".1.3", ".1.3.6.1.10", ".1.3.6.1.9", ".1.3.6", ".1.4", ".2.0"]
        let sorted = texts.compactMap { OID($0) }.sorted().map(\.description)
        #expect(
            sorted == [
                ".1.3", ".1.3.6", ".1.3.6.1.4.1.96.255.1", ".1.3.6.1.9", ".1.3.6.1.10", ".1.4", ".2.0",
            ])
        #expect(!(OID("1.3")! < OID("1.3")!))
    }

    @Test func hasPrefixComparesWholeArcs() {
        let load = OID(".1.3.6.1.4.1.96.255.1")!
        #expect(load.hasPrefix(OID(".1.3.6.1.4.1.96")!))
        #expect(load.hasPrefix(load))
        #expect(!load.hasPrefix(OID(".1.3.6.1.4.1.9")!))
        #expect(!load.hasPrefix(OID(".1.3.6.1.4.1.96.255.1.0")!))
        #expect(!load.hasPrefix(OID(".1.3.6.1.4.1.96.255.2")!))
    }

    @Test func equalOIDsHashEqually() {
        let set: Set = [OID("1.3.6.1")!, OID(".1.3.6.1")!, OID(arcs: [1, 3, 6, 1])!]
        #expect(set.count == 1)
    }

    @Test func randomTextNeverCrashesAndWhatParsesRoundTrips() {
        var random = SeededRandomNumberGenerator(seed: 17)
        let alphabet = Array("\u{301}0123456789....-+ x٣\r\n")
        var parsed = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...20, using: &random)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            if let oid = OID(text) {
                parsed += 1
                #expect(OID(oid.description) == oid)
                #expect(oid.arcs.count >= 2 && oid.arcs[0] <= 2)
            }
        }
        #expect(parsed > 0)
    }

    @Test func randomArcsRoundTripThroughText() {
        var random = SeededRandomNumberGenerator(seed: 18)
        for _ in 0..<2_000 {
            let first = UInt32.random(in: 0...2, using: &random)
            let second =
                first == 2
                ? UInt32.random(in: 0 ... .max, using: &random) : UInt32.random(in: 0..<40, using: &random)
            let rest = (0..<Int.random(in: 0...20, using: &random)).map { _ in
                UInt32.random(in: 0 ... .max, using: &random)
            }
            let oid = OID(arcs: [first, second] + rest)
            #expect(oid != nil)
            if let oid { #expect(OID(oid.description) == oid) }
        }
    }
}
