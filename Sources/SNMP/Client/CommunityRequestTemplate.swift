/// A v1/v2c request encoded once, with the place of its request ID: a batch sends a hundred
/// thousand requests that differ only there, and writing four octets costs far less than
/// encoding each (a tenth of the batch thread's own CPU).
///
/// Only ids of four octets fit (`fits(_:)`): BER writes an INTEGER in as few octets as it
/// takes, so a smaller id would change the message's length.
struct CommunityRequestTemplate {
    /// The encoded request, holding the id last written.
    private(set) var bytes: [UInt8]
    /// Where the id's four octets start in `bytes`.
    private let idOffset: Int

    /// The ids whose BER encoding takes exactly four octets.
    static let idsThatFit: ClosedRange<Int32> = 0x0100_0000...Int32.max

    /// nil when the encoder's output does not show a single four-octet id (it then encodes
    /// each request itself).
    init?(encoding encode: (Int32) -> [UInt8]) {
        // Two ids that differ in each of their four octets show where the id lies.
        let first = encode(0x0102_0304)
        let second = encode(0x7F0E_0D0C)
        guard first.count == second.count else { return nil }
        let differing = first.indices.filter { first[$0] != second[$0] }
        guard differing.count == 4, let start = differing.first, differing.last == start + 3 else {
            return nil
        }
        bytes = first
        idOffset = start
    }

    static func fits(_ id: Int32) -> Bool { idsThatFit.contains(id) }

    /// The request with `id` written in; `id` must fit.
    mutating func request(id: Int32) -> [UInt8] {
        precondition(Self.fits(id))
        let value = UInt32(bitPattern: id)
        bytes[idOffset] = UInt8(truncatingIfNeeded: value >> 24)
        bytes[idOffset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[idOffset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[idOffset + 3] = UInt8(truncatingIfNeeded: value)
        return bytes
    }
}
