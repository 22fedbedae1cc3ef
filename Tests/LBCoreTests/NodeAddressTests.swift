import Testing

@testable import LBCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct NodeAddressParsingTests {
    @Test(arguments: [
        ("1.2.3.4", UInt32(0x0102_0304)),
        ("0.0.0.0", 0),
        ("255.255.255.255", 0xFFFF_FFFF),
        ("10.0.0.1", 0x0A00_0001),
        ("192.168.100.200", 0xC0A8_64C8),
        ("0.1.0.10", 0x0001_000A),
    ])
    func parsesDottedQuads(text: String, value: UInt32) {
        #expect(NodeAddress(text) == .ipv4(value))
        #expect(NodeAddress(text)?.isIPv4 == true)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1..2.3", ".1.2.3", "1.2.3.",
        "01.2.3.4", "1.2.3.04", "1.02.3.4", "00.0.0.0", "1.2.3.000", "0x1.2.3.4", "+1.2.3.4",
        "1.2.3.-4", "1234.1.1.1", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.4/24", "1.2.3.4:161",
        "١.٢.٣.٤", "1.2.3.4\n",
    ])
    func refusesMalformedIPv4(text: String) {
        #expect(NodeAddress(text) == nil)
    }

    @Test func refusesLeadingZerosBecauseSomeResolversReadThemAsOctal() {
        #expect(NodeAddress("010.0.0.1") == nil)
        #expect(NodeAddress("10.0.0.1") == .ipv4(0x0A00_0001))
        #expect(NodeAddress("0.0.0.0") != nil)
    }

    @Test(arguments: [
        ("::", UInt64(0), UInt64(0)),
        ("::1", 0, 1),
        ("1::", 0x0001_0000_0000_0000, 0),
        ("2001:db8::1", 0x2001_0DB8_0000_0000, 1),
        ("1:2:3:4:5:6:7:8", 0x0001_0002_0003_0004, 0x0005_0006_0007_0008),
        ("FE80::ABCD", 0xFE80_0000_0000_0000, 0xABCD),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", 0x2001_0DB8_0000_0000, 1),
        ("1:2:3:4:5:6:7::", 0x0001_0002_0003_0004, 0x0005_0006_0007_0000),
        ("::2:3:4:5:6:7:8", 0x0000_0002_0003_0004, 0x0005_0006_0007_0008),
        ("1::8", 0x0001_0000_0000_0000, 8),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .max, .max),
    ])
    func parsesIPv6(text: String, high: UInt64, low: UInt64) {
        #expect(NodeAddress(text) == .ipv6(high: high, low: low))
        #expect(NodeAddress(text)?.isIPv4 == false)
    }

    @Test(arguments: [
        ("::ffff:1.2.3.4", UInt64(0), UInt64(0x0000_FFFF_0102_0304)),
        ("::FFFF:192.0.2.1", 0, 0x0000_FFFF_C000_0201),
        ("64:ff9b::192.0.2.33", 0x0064_FF9B_0000_0000, 0xC000_0221),
        ("1:2:3:4:5:6:1.2.3.4", 0x0001_0002_0003_0004, 0x0005_0006_0102_0304),
        ("::1.2.3.4", 0, 0x0102_0304),
    ])
    func parsesEmbeddedIPv4(text: String, high: UInt64, low: UInt64) {
        #expect(NodeAddress(text) == .ipv6(high: high, low: low))
    }

    @Test(arguments: [
        "fe80::1%eth0", "fe80::1%1", "fe80::%25eth0", "::1%lo",
    ])
    func refusesZoneIdentifiers(text: String) {
        #expect(NodeAddress(text) == nil)
    }

    @Test(arguments: [
        "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8:1.2.3.4",
    ])
    func refusesTooManyGroups(text: String) {
        #expect(NodeAddress(text) == nil)
    }

    @Test(arguments: [
        ":", ":::", "1::2::3", "::1::", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
        "12345::", "g::1", "::g", "1.2.3.4::", "::1.2.3.4:5", "::1.2.3", "::01.2.3.4",
        "::256.1.1.1", "[::1]", "::1 ", " ::1", "1:2:3:4:5:6:7:8 ", "::-1", "::+1", "0x1::",
        "::1/128", "1:::2", "fe80:::1", "1.2.3.4:1::",
    ])
    func refusesGarbage(text: String) {
        #expect(NodeAddress(text) == nil)
    }
}

@Suite struct NodeAddressFormattingTests {
    @Test(arguments: [
        // The longest run of zero groups is compressed; on a tie, the first one.
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("0:1:0:0:1:0:0:0", "0:1:0:0:1::"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        // A single zero group is never compressed.
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"),
        ("0:1:1:1:1:1:1:1", "0:1:1:1:1:1:1:1"),
        ("1:1:1:1:1:1:1:0", "1:1:1:1:1:1:1:0"),
        // Runs at either end, and everything zero.
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:1:0:0:0:1:0", "0:0:1::1:0"),
        // Lowercase, no leading zeros.
        ("2001:DB8::ABCD", "2001:db8::abcd"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        // IPv4-mapped addresses keep their dotted quad.
        ("0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"),
        ("::FFFF:192.0.2.1", "::ffff:192.0.2.1"),
        ("::ffff:0:0", "::ffff:0.0.0.0"),
        // Other embedded IPv4 forms are plain hex.
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("::1.2.3.4", "::102:304"),
    ])
    func formatsIPv6AsRFC5952(text: String, canonical: String) {
        #expect(NodeAddress(text)?.description == canonical)
    }

    @Test func formatsIPv4AsADottedQuad() {
        #expect(NodeAddress.ipv4(0x0102_0304).description == "1.2.3.4")
        #expect(NodeAddress.ipv4(0).description == "0.0.0.0")
        #expect(NodeAddress.ipv4(.max).description == "255.255.255.255")
        #expect(NodeAddress.ipv4(0x0A00_00FF).description == "10.0.0.255")
        #expect(NodeAddress.ipv4(0x6463_0A09).description == "100.99.10.9")
    }

    /// The digit-by-digit formatting against plain interpolation, and back through the parser,
    /// on every octet value in every position.
    @Test func formatsEveryOctetAsInterpolationDoes() {
        var random = SeededRandomNumberGenerator(seed: 5)
        for _ in 0..<5_000 {
            let octets = (0..<4).map { _ in UInt32.random(in: 0...255, using: &random) }
            let value = octets.reduce(0) { $0 << 8 | $1 }
            let expected = octets.map { "\($0)" }.joined(separator: ".")
            #expect(NodeAddress.ipv4(value).description == expected)
            #expect(NodeAddress(expected) == .ipv4(value))
        }
        for octet in UInt32(0)...255 {
            #expect(NodeAddress.ipv4(octet << 16 | octet).description == "0.\(octet).0.\(octet)")
        }
    }

    @Test func formatsInterpolatedAddressesCanonically() {
        #expect("\(ip("2001:DB8:0::1"))" == "2001:db8::1")
    }
}

@Suite struct NodeAddressOrderingTests {
    @Test func ordersIPv4BeforeIPv6() {
        #expect(ip("255.255.255.255") < ip("::"))
        #expect(!(ip("::") < ip("0.0.0.0")))
        #expect(ip("0.0.0.0") < ip("::ffff:0.0.0.0"))
    }

    @Test func ordersIPv4Numerically() {
        #expect(ip("9.0.0.0") < ip("10.0.0.0"))
        #expect(ip("10.0.0.2") < ip("10.0.0.10"))
        #expect(ip("1.2.3.4") < ip("1.2.3.5"))
        #expect(!(ip("1.2.3.4") < ip("1.2.3.4")))
    }

    @Test func ordersIPv6Numerically() {
        #expect(ip("::2") < ip("::10"))
        #expect(ip("::ffff:ffff:ffff:ffff") < ip("0:0:0:1::"))
        #expect(ip("::1") < ip("ffff::"))
        #expect(ip("2001:db8::9") < ip("2001:db8::a"))
        #expect(!(ip("2001:db8::1") < ip("2001:db8::1")))
    }

    @Test func sortsAMixedListIPv4FirstThenNumerically() {
        let sorted = ["::1", "10.0.0.10", "2001:db8::", "10.0.0.9", "fe80::1", "1.1.1.1"].map { ip($0) }
            .sorted()
        #expect(
            sorted.map(\.description) == ["1.1.1.1", "10.0.0.9", "10.0.0.10", "::1", "2001:db8::", "fe80::1"])
    }

    @Test func canonicalSetRemovesDuplicatesAndSorts() {
        let addresses = ["10.0.0.2", "::1", "10.0.0.1", "10.0.0.2", "0:0::1", "10.0.0.1"].map { ip($0) }
        #expect(NodeAddress.canonicalSet(addresses) == [ip("10.0.0.1"), ip("10.0.0.2"), ip("::1")])
        #expect(NodeAddress.canonicalSet([NodeAddress]()) == [])
    }

    @Test func equalAddressesWrittenDifferentlyAreOneSetMember() {
        let set: Set = [ip("2001:DB8::1"), ip("2001:db8:0:0:0:0:0:1"), ip("2001:0db8::0001")]
        #expect(set.count == 1)
    }
}

@Suite struct NodeAddressPropertyTests {
    @Test func ipv4RoundTripsThroughItsTextForm() {
        var random = SeededRandomNumberGenerator(seed: 0x1234)
        for _ in 0..<2_000 {
            let value = UInt32.random(in: .min ... .max, using: &random)
            let address = NodeAddress.ipv4(value)
            #expect(NodeAddress(address.description) == address, "\(address)")
        }
    }

    /// Random 128-bit values; half the groups are zero so that runs of every length are formatted.
    @Test func ipv6RoundTripsThroughItsTextForm() {
        var random = SeededRandomNumberGenerator(seed: 0x5678)
        for iteration in 0..<4_000 {
            var high = UInt64.random(in: .min ... .max, using: &random)
            var low = UInt64.random(in: .min ... .max, using: &random)
            if iteration % 2 == 0 {
                for group in 0..<4 where Bool.random(using: &random) {
                    high &= ~(UInt64(0xFFFF) << (group * 16))
                }
                for group in 0..<4 where Bool.random(using: &random) {
                    low &= ~(UInt64(0xFFFF) << (group * 16))
                }
            }
            if iteration % 10 == 0 { (high, low) = (0, 0x0000_FFFF_0000_0000 | low & 0xFFFF_FFFF) }
            let address = NodeAddress.ipv6(high: high, low: low)
            let text = address.description
            #expect(NodeAddress(text) == address, "\(text)")
            #expect(text == text.lowercased())
            #expect(text.split(separator: "::", omittingEmptySubsequences: false).count <= 2, "\(text)")
            #expect(!text.contains(":0:0:") || text.contains("::"), "an uncompressed zero run in \(text)")
            #expect(text.utf8.count <= 39 || text.hasPrefix("::ffff:"), "\(text)")
        }
    }

    /// The formatter's choices against a brute-force reading of RFC 5952 section 4.2.
    @Test func ipv6FormattingMatchesABruteForceRFC5952Formatter() {
        var random = SeededRandomNumberGenerator(seed: 99)
        for _ in 0..<3_000 {
            let groups: [UInt16] = (0..<8).map { _ in
                Int.random(in: 0..<3, using: &random) == 0 ? UInt16.random(in: 1 ... .max, using: &random) : 0
            }
            let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            if high == 0, low >> 32 == 0xFFFF { continue }
            #expect(NodeAddress.ipv6(high: high, low: low).description == referenceFormat(groups))
        }
    }

    private func referenceFormat(_ groups: [UInt16]) -> String {
        var best: Range<Int>?
        for start in 0..<7 {
            for end in (start + 2)...8 where groups[start..<end].allSatisfy({ $0 == 0 }) {
                if end - start > (best?.count ?? 0) { best = start..<end }
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let best else { return hex.joined(separator: ":") }
        return hex[..<best.lowerBound].joined(separator: ":") + "::"
            + hex[best.upperBound...].joined(separator: ":")
    }

    /// Random strings over the characters addresses are made of: parsing never crashes, and
    /// whatever parses formats back to the same address.
    @Test func randomStringsNeverCrashTheParser() {
        var random = SeededRandomNumberGenerator(seed: 7)
        let alphabet = Array("\u{301}0123456789abcdefABCDEF:::...%g -١é\r\n")
        var parsed = 0
        for _ in 0..<20_000 {
            let text = randomString(from: alphabet, maxLength: 24, using: &random)
            if let address = NodeAddress(text) {
                parsed += 1
                #expect(NodeAddress(address.description) == address, "\(text)")
            }
        }
        #expect(parsed > 0)
    }

    /// Valid addresses with one character inserted, deleted or replaced: the parser agrees with
    /// the C library's `inet_pton`, which refuses IPv4 leading zeros and zone identifiers too.
    @Test func mutatedAddressesParseAsInetPtonDoes() {
        var random = SeededRandomNumberGenerator(seed: 2024)
        let seeds = [
            "1.2.3.4", "10.0.0.1", "255.255.255.255", "::", "::1", "2001:db8::1", "1:2:3:4:5:6:7:8",
            "::ffff:1.2.3.4", "fe80::1:2", "1:2:3:4:5:6:1.2.3.4", "1::", "64:ff9b::192.0.2.33",
        ]
        let alphabet = Array("0123456789afAF:.%x ")
        for _ in 0..<20_000 {
            var characters = Array(seeds.randomElement(using: &random)!)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...characters.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0:
                    characters.insert(alphabet.randomElement(using: &random)!, at: position)
                case 1 where position < characters.count:
                    characters.remove(at: position)
                default:
                    if position < characters.count {
                        characters[position] = alphabet.randomElement(using: &random)!
                    }
                }
            }
            let text = String(characters)
            #expect(NodeAddress(text) == inetPton(text), "\(text)")
        }
    }

    private func inetPton(_ text: String) -> NodeAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return .ipv4(UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return .ipv6(high: high, low: low)
    }
}
