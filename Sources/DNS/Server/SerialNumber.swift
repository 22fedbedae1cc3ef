/// Zone serial arithmetic (RFC 1982 with SERIAL_BITS = 32): serials wrap around, so "newer"
/// means "ahead by less than half the number space", never a plain integer comparison.
public enum SerialNumber {
    /// Whether `lhs` is newer than `rhs`. Pairs exactly 2^31 apart are undefined in RFC 1982;
    /// they count as not newer here, so the store bumps the serial rather than guess.
    public static func isGreater(_ lhs: UInt32, than rhs: UInt32) -> Bool {
        let distance = lhs &- rhs
        return distance != 0 && distance < 0x8000_0000
    }

    /// The serial after `serial` (RFC 1982 section 3.1: addition modulo 2^32).
    public static func next(after serial: UInt32) -> UInt32 {
        serial &+ 1
    }
}
