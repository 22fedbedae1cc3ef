@testable import DNS

/// Packets built to make a DNS decoder work hard, as an attacker would send them (issue 12).
enum CraftedPackets {
    /// A 255-octet name in wire form (labels of 63, 63, 63 and 61 octets, then the root).
    static let longName: [UInt8] =
        [63] + Array(repeating: UInt8(ascii: "a"), count: 63) + [63]
        + Array(repeating: UInt8(ascii: "b"), count: 63)
        + [63] + Array(repeating: UInt8(ascii: "c"), count: 63) + [61]
        + Array(repeating: UInt8(ascii: "d"), count: 61) + [0]

    /// The query of issue 12: `questions` questions in an 8 KB datagram, the first holding the
    /// 255-octet name at offset 12 and every other one a compression pointer to it. With
    /// `response`, QR is set; with `edns`, an OPT record (DO set) ends the packet.
    static func manyQuestions(_ questions: Int = 1321, response: Bool = false, edns: Bool = false) -> [UInt8]
    {
        var bytes: [UInt8] = [0xAB, 0xCD, response ? 0x81 : 0x01, 0x00]
        bytes += [UInt8(questions >> 8), UInt8(questions & 0xFF), 0, 0, 0, 0, 0, edns ? 1 : 0]
        bytes += longName + [0, 1, 0, 1]
        for _ in 1..<questions { bytes += [0xC0, 12, 0, 1, 0, 1] }
        if edns { bytes += opt(dnssecOK: true) }
        return bytes
    }

    /// One question for the 255-octet name, then `records` additional records of type A whose
    /// owners are pointers to it: 16 octets each on the wire, 255 to decode.
    static func manyRecordsAtLongName(_ records: Int) -> [UInt8] {
        var bytes: [UInt8] = [
            0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, UInt8(records >> 8), UInt8(records & 0xFF),
        ]
        bytes += longName + [0, 1, 0, 1]
        for _ in 0..<records { bytes += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1] }
        return bytes
    }

    /// One question for `a.` then `records` answer records, each owned by a pointer to the
    /// previous record's owner, itself a pointer: record k follows k pointers.
    static func pointerChain(_ records: Int) -> [UInt8] {
        var bytes: [UInt8] = [
            0x12, 0x34, 0x01, 0x00, 0, 1, UInt8(records >> 8), UInt8(records & 0xFF), 0, 0, 0, 0,
        ]
        bytes += [1, UInt8(ascii: "a"), 0, 0, 1, 0, 1]
        var previous = 12
        for _ in 0..<records {
            let offset = bytes.count
            bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF), 0, 1, 0, 1, 0, 0, 0, 60, 0, 0]
            previous = offset
        }
        return bytes
    }

    /// An OPT record: root owner, 4096-octet payload, version 0, DO as given, no options.
    static func opt(dnssecOK: Bool = false) -> [UInt8] {
        [0, 0x00, 0x29, 0x10, 0x00, 0, 0, dnssecOK ? 0x80 : 0, 0, 0, 0]
    }
}
