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
/// Bounded: entries are appended to one arena of `arenaSize` octets, found through an index of
/// `indexSize` slots (linear probing, at most `probes` per query); when the arena is full,
/// everything is dropped at once and refilled by the queries that come. Memory grows only with
/// the answers kept. A hit copies octets and touches no reference count.
///
/// Not thread-safe: each worker thread has its own.
final class DNSAnswerCache {
    static let indexSize = 16384
    static let arenaSize = 2 << 20
    static let probes = 8
    /// The longest query kept: a 255-octet name, the header, type, class and an OPT record.
    static let longestKey = 300
    /// The most address sets turned in one answer, and records in them.
    static let maximumSets = 16
    static let maximumRecords = 255

    // Entry layout, 8-octet aligned: hash (8), version (8), key length (2), answer length (2),
    // sets (1), records (1), 2 unused; the sets (first record, count, RDATA length: 3 octets
    // each); the records' RDATA offsets (2 octets each); the key; the answer.
    private static let headerSize = 24

    /// Arena offset + 1 of each slot's entry; 0 for none.
    private let index: UnsafeMutablePointer<UInt32>
    private let arena: UnsafeMutableRawPointer
    private var used = 0
    private let seed: UInt64

    init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        index = .allocate(capacity: Self.indexSize)
        index.initialize(repeating: 0, count: Self.indexSize)
        // Pages are touched only as entries are appended.
        arena = .allocate(byteCount: Self.arenaSize, alignment: 8)
        self.seed = seed
    }

    deinit {
        index.deallocate()
        arena.deallocate()
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
        guard Self.isCacheable(request), let out = output.baseAddress else { return nil }
        let hash = hash(request)
        guard case .found(let entry, _) = find(request, hash: hash) else { return nil }
        let keyLength = Int(entry.load(fromByteOffset: 16, as: UInt16.self))
        let wireLength = Int(entry.load(fromByteOffset: 18, as: UInt16.self))
        let sets = Int(entry.load(fromByteOffset: 20, as: UInt8.self))
        let records = Int(entry.load(fromByteOffset: 21, as: UInt8.self))
        guard entry.load(fromByteOffset: 8, as: UInt64.self) == version, wireLength <= output.count else {
            return nil
        }
        let offsets = entry + Self.headerSize + 3 * sets
        let wire = UnsafeRawPointer(offsets + 2 * records + keyLength)
        out.copyMemory(from: wire, byteCount: wireLength)
        out.storeBytes(of: request[0], toByteOffset: 0, as: UInt8.self)
        out.storeBytes(of: request[1], toByteOffset: 1, as: UInt8.self)
        for set in 0..<sets {
            let descriptor = entry + Self.headerSize + 3 * set
            let first = Int(descriptor.load(as: UInt8.self))
            let count = Int(descriptor.load(fromByteOffset: 1, as: UInt8.self))
            let length = Int(descriptor.load(fromByteOffset: 2, as: UInt8.self))
            // As AuthoritativeResponder turns a set: the records from `shift` on, then those
            // before.
            let shift = rotation() % count
            guard shift > 0 else { continue }
            for record in 0..<count {
                let from = Int(
                    offsets.loadUnaligned(
                        fromByteOffset: 2 * (first + (record + shift) % count), as: UInt16.self))
                let to = Int(offsets.loadUnaligned(fromByteOffset: 2 * (first + record), as: UInt16.self))
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
        guard Self.isCacheable(request), wire.count <= Int(UInt16.max),
            let (offsets, sets) = Self.addressSets(in: wire), offsets.count <= Self.maximumRecords,
            sets.count <= Self.maximumSets
        else { return false }
        let size = (Self.headerSize + 3 * sets.count + 2 * offsets.count + keyLength + wire.count + 7) & ~7
        guard size <= Self.arenaSize / 16 else { return false }
        if used + size > Self.arenaSize {
            index.update(repeating: 0, count: Self.indexSize)
            used = 0
        }
        let hash = hash(request)
        let slot: Int
        switch find(request, hash: hash) {
        case .found(_, let taken): slot = taken
        case .free(let free): slot = free
        case .full: slot = Self.home(hash)
        }
        let entry = arena + used
        entry.storeBytes(of: hash, as: UInt64.self)
        entry.storeBytes(of: version, toByteOffset: 8, as: UInt64.self)
        entry.storeBytes(of: UInt16(keyLength), toByteOffset: 16, as: UInt16.self)
        entry.storeBytes(of: UInt16(wire.count), toByteOffset: 18, as: UInt16.self)
        entry.storeBytes(of: UInt8(sets.count), toByteOffset: 20, as: UInt8.self)
        entry.storeBytes(of: UInt8(offsets.count), toByteOffset: 21, as: UInt8.self)
        var position = Self.headerSize
        for set in sets {
            entry.storeBytes(of: UInt8(set.first), toByteOffset: position, as: UInt8.self)
            entry.storeBytes(of: UInt8(set.count), toByteOffset: position + 1, as: UInt8.self)
            entry.storeBytes(of: UInt8(set.length), toByteOffset: position + 2, as: UInt8.self)
            position += 3
        }
        for offset in offsets {
            entry.storeBytes(of: UInt16(offset), toByteOffset: position, as: UInt16.self)
            position += 2
        }
        (entry + position).copyMemory(from: request.baseAddress! + 2, byteCount: keyLength)
        position += keyLength
        wire.withUnsafeBytes { (entry + position).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        index[slot] = UInt32(used + 1)
        used += size
        return true
    }

    private enum Lookup {
        /// The entry for the key (of whatever version), and its slot.
        case found(UnsafeMutableRawPointer, slot: Int)
        /// No entry for the key; this slot is free for it.
        case free(Int)
        /// No entry for the key and no free slot within `probes`.
        case full
    }

    private static func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash) & (indexSize - 1)
    }

    private func find(_ request: UnsafeRawBufferPointer, hash: UInt64) -> Lookup {
        let keyLength = request.count - 2
        var slot = Self.home(hash)
        for _ in 0..<Self.probes {
            let reference = Int(index[slot])
            guard reference != 0 else { return .free(slot) }
            let entry = arena + (reference - 1)
            if entry.load(as: UInt64.self) == hash,
                Int(entry.load(fromByteOffset: 16, as: UInt16.self)) == keyLength
            {
                let sets = Int(entry.load(fromByteOffset: 20, as: UInt8.self))
                let records = Int(entry.load(fromByteOffset: 21, as: UInt8.self))
                let key = entry + Self.headerSize + 3 * sets + 2 * records
                if memcmp(key, request.baseAddress! + 2, keyLength) == 0 { return .found(entry, slot: slot) }
            }
            slot = (slot + 1) & (Self.indexSize - 1)
        }
        return .full
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
