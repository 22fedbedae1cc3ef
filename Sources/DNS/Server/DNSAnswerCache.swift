#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The encoded answers to plain queries, kept by one UDP worker thread so that a query asked
/// again is answered by copying octets rather than by decoding, answering and encoding it anew.
///
/// Only a query of the simplest shape is kept: QUERY, one question written without compression,
/// no records but an optional OPT record without options, nothing after. Such a query's octets
/// after its ID decide its answer entirely (flags, question name as sent, type, class, EDNS size,
/// version and DO bit) given the zones; so they are the key, compared octet for octet. The name
/// is compared with its case: our encoder compresses names octet for octet, so a query in other
/// letter case gets an answer of another layout.
///
/// Entries remember the `ZoneStore.version` they were made from and are used only while it is
/// current, so an answer is never older than the zone. Rotated address sets are kept in zone
/// order, with the offset of each record's data, and turned at each hit with the responder's own
/// rotation, once per set exactly as the responder would. An answer cut with TC is not kept
/// (which records it holds depends on the turn); neither is one when the responder computes text
/// at query time.
///
/// Bounded: `slotCount` slots of `slotSize` octets in one allocation, one entry per hash slot (a
/// newer query takes its slot); an answer that does not fit in a slot is not kept. Pages of slots
/// never used are never touched, so an idle server pays only for the answers it gave. A hit
/// copies octets and touches no reference count.
///
/// Not thread-safe: each worker thread has its own.
final class DNSAnswerCache {
    static let slotCount = 4096
    static let slotSize = 1024
    /// The longest query kept: a 255-octet name, the header, type, class and an OPT record.
    static let longestKey = 300
    /// The most address sets turned in one answer, and records in them.
    static let maximumSets = 8
    static let maximumRecords = 64

    // Slot layout: hash (8), version (8), key length (2), wire length (2), sets (1), records (1),
    // occupied (1), pad; sets at 24 (first record, count, RDATA length: 3 octets each); record
    // RDATA offsets at 48 (2 octets each); the key, then the answer, at 176.
    private static let setsOffset = 24
    private static let recordsOffset = setsOffset + 3 * maximumSets
    private static let keyOffset = recordsOffset + 2 * maximumRecords

    private let slots: UnsafeMutableRawPointer
    private let seed: UInt64

    init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        // calloc: zeroed (every slot unoccupied) without writing the pages.
        slots = calloc(Self.slotCount, Self.slotSize)!
        self.seed = seed
    }

    deinit {
        free(slots)
    }

    /// Whether `request` has the shape whose answer can be kept (see the type's documentation).
    static func isCacheable(_ request: UnsafeRawBufferPointer) -> Bool {
        let count = request.count
        guard count >= 17, count <= longestKey else { return false }
        // QR = 0, opcode QUERY; QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1.
        guard request[2] & 0xF8 == 0, request[4] == 0, request[5] == 1, request[6] | request[7] == 0,
            request[8] | request[9] == 0, request[10] == 0, request[11] <= 1
        else { return false }
        var position = 12
        while true {
            guard position < count else { return false }
            let length = Int(request[position])
            if length == 0 { break }
            // A compression pointer or a reserved label type: not the simple shape.
            guard length < 64 else { return false }
            position += 1 + length
        }
        position += 1
        guard position + 4 <= count else { return false }
        let type = UInt16(request[position]) << 8 | UInt16(request[position + 1])
        // Transfers depend on who asks.
        guard type != 251, type != 252 else { return false }
        position += 4
        if request[11] == 0 { return position == count }
        // The OPT record: root owner, type 41, class (size) and TTL (flags) free, no RDATA.
        return position + 11 == count && request[position] == 0 && request[position + 1] == 0
            && request[position + 2] == 41 && request[position + 9] == 0 && request[position + 10] == 0
    }

    /// Writes the kept answer to `request` into `output` with the request's ID and the address
    /// sets turned by `rotation`, and returns its length; nil when there is none for `version`
    /// (or it does not fit in `output`).
    func answer(
        _ request: UnsafeRawBufferPointer, version: UInt64, into output: UnsafeMutableRawBufferPointer,
        rotation: () -> Int
    ) -> Int? {
        guard Self.isCacheable(request) else { return nil }
        let hash = hash(request)
        let slot = self.slot(hash)
        let keyLength = Int(slot.load(fromByteOffset: 16, as: UInt16.self))
        let wireLength = Int(slot.load(fromByteOffset: 18, as: UInt16.self))
        guard slot.load(fromByteOffset: 22, as: UInt8.self) == 1, slot.load(as: UInt64.self) == hash,
            slot.load(fromByteOffset: 8, as: UInt64.self) == version, keyLength == request.count - 2,
            wireLength <= output.count,
            memcmp(slot + Self.keyOffset, request.baseAddress! + 2, keyLength) == 0,
            let out = output.baseAddress
        else { return nil }
        let wire = UnsafeRawPointer(slot + Self.keyOffset + keyLength)
        out.copyMemory(from: wire, byteCount: wireLength)
        out.storeBytes(of: request[0], toByteOffset: 0, as: UInt8.self)
        out.storeBytes(of: request[1], toByteOffset: 1, as: UInt8.self)
        let sets = Int(slot.load(fromByteOffset: 20, as: UInt8.self))
        for set in 0..<sets {
            let descriptor = slot + Self.setsOffset + 3 * set
            let first = Int(descriptor.load(as: UInt8.self))
            let count = Int(descriptor.load(fromByteOffset: 1, as: UInt8.self))
            let length = Int(descriptor.load(fromByteOffset: 2, as: UInt8.self))
            // As AuthoritativeResponder turns a set: the records from `shift` on, then those
            // before.
            let shift = rotation() % count
            guard shift > 0 else { continue }
            for index in 0..<count {
                let from = Int(
                    slot.load(
                        fromByteOffset: Self.recordsOffset + 2 * (first + (index + shift) % count),
                        as: UInt16.self))
                let to = Int(
                    slot.load(fromByteOffset: Self.recordsOffset + 2 * (first + index), as: UInt16.self))
                (out + to).copyMemory(from: wire + from, byteCount: length)
            }
        }
        return wireLength
    }

    /// Keeps `wire`, the answer to `request` computed from the zones at `version` with every
    /// address set in zone order; false when it cannot be kept (wrong shape, TC, unreadable, too
    /// large).
    @discardableResult
    func insert(_ request: UnsafeRawBufferPointer, version: UInt64, wire: [UInt8]) -> Bool {
        let keyLength = request.count - 2
        guard Self.isCacheable(request), Self.keyOffset + keyLength + wire.count <= Self.slotSize,
            let (offsets, sets) = Self.addressSets(in: wire), offsets.count <= Self.maximumRecords,
            sets.count <= Self.maximumSets
        else { return false }
        let hash = hash(request)
        let slot = self.slot(hash)
        slot.storeBytes(of: 0, toByteOffset: 22, as: UInt8.self)
        slot.storeBytes(of: hash, as: UInt64.self)
        slot.storeBytes(of: version, toByteOffset: 8, as: UInt64.self)
        slot.storeBytes(of: UInt16(keyLength), toByteOffset: 16, as: UInt16.self)
        slot.storeBytes(of: UInt16(wire.count), toByteOffset: 18, as: UInt16.self)
        slot.storeBytes(of: UInt8(sets.count), toByteOffset: 20, as: UInt8.self)
        slot.storeBytes(of: UInt8(offsets.count), toByteOffset: 21, as: UInt8.self)
        for (index, set) in sets.enumerated() {
            let descriptor = slot + Self.setsOffset + 3 * index
            descriptor.storeBytes(of: UInt8(set.first), as: UInt8.self)
            descriptor.storeBytes(of: UInt8(set.count), toByteOffset: 1, as: UInt8.self)
            descriptor.storeBytes(of: UInt8(set.length), toByteOffset: 2, as: UInt8.self)
        }
        for (index, offset) in offsets.enumerated() {
            slot.storeBytes(of: UInt16(offset), toByteOffset: Self.recordsOffset + 2 * index, as: UInt16.self)
        }
        (slot + Self.keyOffset).copyMemory(from: request.baseAddress! + 2, byteCount: keyLength)
        wire.withUnsafeBytes {
            (slot + Self.keyOffset + keyLength).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
        }
        slot.storeBytes(of: 1, toByteOffset: 22, as: UInt8.self)
        return true
    }

    private func slot(_ hash: UInt64) -> UnsafeMutableRawPointer {
        slots + (Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)) * Self.slotSize
    }

    /// The RDATA offset of every record of each A or AAAA set of two or more records in the
    /// answer section, and the sets (first record, count, RDATA length): each run of records of
    /// one of these types (the runs the responder turns). Nil when the answer is cut (TC), cannot
    /// be read, or a run's records differ in class, TTL or length, which a turn of their data
    /// alone would not reproduce.
    private static func addressSets(in wire: [UInt8])
        -> (offsets: [Int], sets: [(first: Int, count: Int, length: Int)])?
    {
        guard wire.count >= 12, wire[2] & 0x02 == 0 else { return nil }
        let questions = Int(wire[4]) << 8 | Int(wire[5])
        let answers = Int(wire[6]) << 8 | Int(wire[7])
        var position = 12
        func skipName() -> Bool {
            while position < wire.count {
                let length = Int(wire[position])
                if length & 0xC0 == 0xC0 {
                    position += 2
                    return position <= wire.count
                }
                guard length < 64 else { return false }
                position += 1 + length
                if length == 0 { return position <= wire.count }
            }
            return false
        }
        for _ in 0..<questions {
            guard skipName(), position + 4 <= wire.count else { return nil }
            position += 4
        }
        var offsets: [Int] = []
        var sets: [(first: Int, count: Int, length: Int)] = []
        // The run being read: type, class and TTL octets, RDATA length, first offset index.
        var run: (type: Int, fixed: ArraySlice<UInt8>, length: Int, first: Int)?
        func endRun() {
            if let current = run, offsets.count - current.first > 1 {
                sets.append((current.first, offsets.count - current.first, current.length))
            } else if let current = run {
                offsets.removeSubrange(current.first...)
            }
            run = nil
        }
        for _ in 0..<answers {
            guard skipName(), position + 10 <= wire.count else { return nil }
            let type = Int(wire[position]) << 8 | Int(wire[position + 1])
            let fixed = wire[position + 2..<position + 8]
            let length = Int(wire[position + 8]) << 8 | Int(wire[position + 9])
            let data = position + 10
            guard data + length <= wire.count else { return nil }
            if let current = run, current.type == type {
                guard current.fixed == fixed, current.length == length else { return nil }
                offsets.append(data)
            } else {
                endRun()
                if type == 1 || type == 28 {
                    run = (type, fixed, length, offsets.count)
                    offsets.append(data)
                }
            }
            position = data + length
        }
        endRun()
        return (offsets, sets)
    }

    /// FNV-1a of the octets after the ID, started from a per-cache seed.
    private func hash(_ request: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for index in 2..<request.count {
            hash = (hash ^ UInt64(request[index])) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
