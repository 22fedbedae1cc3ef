/// Writes DNS wire fields, compressing names against the suffixes already written. The writer
/// can roll back to a mark, forgetting the suffixes written after it, so a record that does not
/// fit can be dropped whole.
///
/// Suffixes match octet for octet, case included, as BIND compresses: matching without case
/// would give a zone's names (an SOA's mailbox, a CNAME's target) the spelling of a question
/// asked in other case, and servers preserve the case of their data (RFC 4343 section 4.1).
struct DNSWireWriter {
    private(set) var bytes: [UInt8]
    /// The suffixes that can be pointed to, in the order written: a hash of the uncompressed
    /// suffix and the offset of its first occurrence. Hashes are unique here; a
    /// hash found is checked against the octets at its offset, so a collision only costs a
    /// compression, never a wrong pointer.
    private var suffixes: [(hash: UInt64, offset: Int)] = []
    /// The same, by hash, once there are too many suffixes to search one by one (transfers).
    private var suffixIndex: [UInt64: Int]?

    /// Beyond this many suffixes, `suffixIndex` is kept; under it, a scan is cheaper.
    private static let scanLimit = 16

    init() {
        bytes = []
        bytes.reserveCapacity(512)
    }

    /// Where a rollback returns to.
    struct Mark {
        fileprivate let count: Int
        fileprivate let suffixCount: Int
    }

    var count: Int { bytes.count }

    var mark: Mark { Mark(count: bytes.count, suffixCount: suffixes.count) }

    mutating func rollBack(to mark: Mark) {
        bytes.removeSubrange(mark.count...)
        while suffixes.count > mark.suffixCount {
            let removed = suffixes.removeLast()
            suffixIndex?[removed.hash] = nil
        }
    }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func write(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8(value >> 16 & 0xFF))
        bytes.append(UInt8(value >> 8 & 0xFF))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func writeUInt48(_ value: UInt64) {
        for shift in stride(from: 40, through: 0, by: -8) {
            bytes.append(UInt8((value >> UInt64(shift)) & 0xFF))
        }
    }

    mutating func write(_ octets: [UInt8]) { bytes.append(contentsOf: octets) }

    mutating func set(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(value & 0xFF)
    }

    /// Writes `name`; with `compress`, ends it with a pointer to an earlier copy of its longest
    /// known suffix and remembers its own suffixes. Names where RFC 3597 forbids compression
    /// (unknown RDATA, TSIG) are written with `compress: false` and are never pointer targets.
    mutating func write(_ name: DomainName, compress: Bool) {
        let labels = name.wireLabels
        guard compress, !labels.isEmpty else {
            for label in labels {
                bytes.append(UInt8(label.count))
                bytes.append(contentsOf: label)
            }
            bytes.append(0)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: labels.count) { hashes in
            Self.suffixHashes(labels, into: hashes)
            for index in labels.indices {
                if let offset = offset(of: labels[index...], hash: hashes[index]) {
                    write(UInt16(0xC000) | UInt16(offset))
                    return
                }
                // Pointers have 14 bits of offset.
                if bytes.count < 0x4000 { remember(hashes[index], at: bytes.count) }
                bytes.append(UInt8(labels[index].count))
                bytes.append(contentsOf: labels[index])
            }
            bytes.append(0)
        }
    }

    /// The offset of an earlier copy of `suffix`, whose hash is `hash`.
    private func offset(of suffix: ArraySlice<[UInt8]>, hash: UInt64) -> Int? {
        let offset: Int?
        if let suffixIndex {
            offset = suffixIndex[hash]
        } else {
            offset = suffixes.first(where: { $0.hash == hash })?.offset
        }
        guard let offset, matches(suffix, at: offset) else { return nil }
        return offset
    }

    /// Makes the suffix starting at `offset` a pointer target, unless its hash is known already
    /// (the same suffix written earlier, or a collision: either way, no second target).
    private mutating func remember(_ hash: UInt64, at offset: Int) {
        if let suffixIndex {
            guard suffixIndex[hash] == nil else { return }
        } else {
            guard !suffixes.contains(where: { $0.hash == hash }) else { return }
        }
        suffixes.append((hash, offset))
        if suffixIndex != nil {
            suffixIndex?[hash] = offset
        } else if suffixes.count > Self.scanLimit {
            suffixIndex = Dictionary(suffixes, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Whether the name written at `offset` (following our own pointers) is `suffix`, octet for
    /// octet.
    private func matches(_ suffix: ArraySlice<[UInt8]>, at offset: Int) -> Bool {
        var position = offset
        for label in suffix {
            guard position < bytes.count else { return false }
            if bytes[position] & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count else { return false }
                position = Int(bytes[position] & 0x3F) << 8 | Int(bytes[position + 1])
            }
            let start = position + 1
            guard start + label.count <= bytes.count, Int(bytes[position]) == label.count else {
                return false
            }
            guard label.elementsEqual(bytes[start..<start + label.count]) else { return false }
            position = start + label.count
        }
        guard position < bytes.count else { return false }
        if bytes[position] & 0xC0 == 0xC0 {
            guard position + 1 < bytes.count else { return false }
            position = Int(bytes[position] & 0x3F) << 8 | Int(bytes[position + 1])
        }
        return position < bytes.count && bytes[position] == 0
    }

    /// For each index, an FNV-1a hash of `labels[index...]` with their lengths,
    /// built from the last label up so every suffix costs one pass.
    private static func suffixHashes(_ labels: [[UInt8]], into hashes: UnsafeMutableBufferPointer<UInt64>) {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for index in labels.indices.reversed() {
            hash = (hash ^ UInt64(labels[index].count)) &* prime
            for octet in labels[index] { hash = (hash ^ UInt64(octet)) &* prime }
            hashes[index] = hash
        }
    }
}
