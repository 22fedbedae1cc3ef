/// Decodes the base64 of RFC 4648 section 4 as key files and `tsig-keygen` write it.
enum Base64 {
    /// The octets of `text`, or nil when it is not padded base64. Blanks, as in wrapped key
    /// files, are ignored.
    static func decode(_ text: String) -> [UInt8]? {
        let blanks: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let characters = text.utf8.filter { !blanks.contains($0) }
        guard characters.count % 4 == 0 else { return nil }
        let padding = characters.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for octet in characters.dropLast(padding) {
            guard let value = sextet(octet) else { return nil }
            accumulator = (accumulator << 6 | UInt32(value)) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        return bytes
    }

    private static func sextet(_ octet: UInt8) -> UInt8? {
        switch octet {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return octet - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return octet - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return octet - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
