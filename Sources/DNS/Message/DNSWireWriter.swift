/// Writes DNS wire fields, compressing names against the suffixes already written. The writer
/// can roll back to a mark, forgetting the suffixes written after it, so a record that does not
/// fit can be dropped whole.
struct DNSWireWriter {
    private(set) var bytes: [UInt8] = []
    /// Lower-cased uncompressed suffix -> offset of its first occurrence.
    private var suffixes: [[UInt8]: Int] = [:]
    private var suffixOrder: [[UInt8]] = []

    /// Where a rollback returns to.
    struct Mark {
        fileprivate let count: Int
        fileprivate let suffixCount: Int
    }

    var count: Int { bytes.count }

    var mark: Mark { Mark(count: bytes.count, suffixCount: suffixOrder.count) }

    mutating func rollBack(to mark: Mark) {
        bytes.removeSubrange(mark.count...)
        while suffixOrder.count > mark.suffixCount {
            suffixes[suffixOrder.removeLast()] = nil
        }
    }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8((value >> UInt32(shift)) & 0xFF))
        }
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
        for index in labels.indices {
            if compress {
                let key = Self.suffixKey(labels[index...])
                if let offset = suffixes[key] {
                    write(UInt16(0xC000) | UInt16(offset))
                    return
                }
                // Pointers have 14 bits of offset.
                if bytes.count < 0x4000 {
                    suffixes[key] = bytes.count
                    suffixOrder.append(key)
                }
            }
            bytes.append(UInt8(labels[index].count))
            bytes.append(contentsOf: labels[index])
        }
        bytes.append(0)
    }

    private static func suffixKey(_ labels: ArraySlice<[UInt8]>) -> [UInt8] {
        var key: [UInt8] = []
        for label in labels {
            key.append(UInt8(label.count))
            key.append(contentsOf: label.lazy.map(DomainName.foldCase))
        }
        return key
    }
}
