import NIOCore
import Synchronization

/// What the client knows of each agent's SNMPv3 engine: its ID, and its boots and time as of a
/// local instant, so the time can be estimated without asking again (RFC 3414 section 2.3).
///
/// Kept compact, for lbd polls a hundred thousand engines: the address is a key of one integer
/// (IPv4) or three (IPv6) rather than a `SocketAddress` (a heap box); each engine's ID and keys
/// share one allocation; the users are kept once, each engine naming its user by index.
/// Invariant: what `entry(for:)` hands back is what `store(_:for:)` was given, field for field
/// (keys only for the first `maximumUsers` users to ask).
final class EngineCache: Sendable {
    struct Entry: Sendable {
        var id: [UInt8]
        var boots: Int32
        var time: Int32
        var learnedAt: ContinuousClock.Instant
        /// The keys of the last user that asked this engine, localised to it: found here, a
        /// request neither hashes the user's passwords nor looks them up in the shared cache
        /// (which a hundred thousand engines would outgrow).
        var localized: (user: USMUser, keys: LocalizedKeys)? = nil

        /// `user`'s keys when they are the ones kept here.
        func keys(of user: USMUser) -> LocalizedKeys? {
            guard let localized, localized.user == user else { return nil }
            return localized.keys
        }

        func estimate(now: ContinuousClock.Instant) -> USMCodec.Engine {
            let elapsed = (now - learnedAt).components.seconds
            return USMCodec.Engine(id: id, boots: boots, time: Int32(clamping: Int64(time) + elapsed))
        }
    }

    /// The distinct users whose keys are kept at most; past them, engines are kept without keys
    /// (a client polls with the few users of its configuration).
    static let maximumUsers = 64

    private let tables = Mutex(Tables())

    func entry(for address: SocketAddress) -> Entry? {
        guard let key = Key(address) else { return nil }
        return tables.withLock { $0.entry(at: key) }
    }

    /// Keeps `entry` for `address`, in place of what was there. A non-IP address is not kept
    /// (the client cannot send to it anyway), nor an engine ID of 64 KB (no datagram holds one).
    func store(_ entry: Entry, for address: SocketAddress) {
        guard let key = Key(address) else { return }
        tables.withLock { $0.store(entry, at: key) }
    }

    func forget(_ address: SocketAddress) {
        guard let key = Key(address) else { return }
        tables.withLock { $0[key] = nil }
    }

    /// An agent's address as a key: what `SocketAddress` compares but the IPv6 flow label, which
    /// does not name another agent.
    private enum Key {
        /// The address in the high bits, the port in the low 16 (network order, as received).
        case v4(UInt64)
        case v6(IPv6)

        init?(_ address: SocketAddress) {
            switch address {
            case .v4(let v4):
                let raw = v4.address
                self = .v4(UInt64(raw.sin_addr.s_addr) << 16 | UInt64(raw.sin_port))
            case .v6(let v6):
                let raw = v6.address
                let halves = withUnsafeBytes(of: raw.sin6_addr) {
                    ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                }
                self = .v6(
                    IPv6(
                        high: halves.0, low: halves.1,
                        scopeAndPort: UInt64(raw.sin6_scope_id) << 16 | UInt64(raw.sin6_port)))
            case .unixDomainSocket:
                return nil
            }
        }
    }

    private struct IPv6: Hashable {
        var high: UInt64
        var low: UInt64
        var scopeAndPort: UInt64
    }

    /// One engine as kept: 32 octets, and its ID and keys in `bytes`.
    private struct Record {
        var bytes: EngineBytes
        var boots: Int32
        var time: Int32
        /// Nanoseconds from the cache's `origin`: half the size of an instant, as exact.
        var learnedAt: Int64
        /// One more than the index in `users` of the user whose keys `bytes` holds; 0 for none.
        var user: UInt16
    }

    private struct Tables {
        var ipv4: [UInt64: Record] = [:]
        var ipv6: [IPv6: Record] = [:]
        var users: [USMUser] = []
        let origin = ContinuousClock.now

        subscript(key: Key) -> Record? {
            get {
                switch key {
                case .v4(let key): ipv4[key]
                case .v6(let key): ipv6[key]
                }
            }
            set {
                switch key {
                case .v4(let key): ipv4[key] = newValue
                case .v6(let key): ipv6[key] = newValue
                }
            }
        }

        func entry(at key: Key) -> Entry? {
            guard let record = self[key] else { return nil }
            let (id, keys) = record.bytes.contents
            return Entry(
                id: id, boots: record.boots, time: record.time,
                learnedAt: origin.advanced(by: .nanoseconds(record.learnedAt)),
                localized: record.user == 0 ? nil : (user: users[Int(record.user) - 1], keys: keys))
        }

        mutating func store(_ entry: Entry, at key: Key) {
            let old = self[key]
            let user = entry.localized.flatMap { number(of: $0.user, likely: old?.user ?? 0) } ?? 0
            let keys = user == 0 ? nil : entry.localized?.keys
            // Each answer stores its engine again, with the same ID and keys: those bytes are
            // kept rather than copied anew.
            guard
                let bytes = old.map(\.bytes).flatMap({ $0.holds(id: entry.id, keys: keys) ? $0 : nil })
                    ?? EngineBytes.make(id: entry.id, keys: keys)
            else {
                self[key] = nil
                return
            }
            let (seconds, attoseconds) = (entry.learnedAt - origin).components
            self[key] = Record(
                bytes: bytes, boots: entry.boots, time: entry.time,
                learnedAt: seconds * 1_000_000_000 + attoseconds / 1_000_000_000, user: user)
        }

        /// `user`'s number (its index in `users` plus one), `likely` checked first; nil when
        /// `users` is full.
        private mutating func number(of user: USMUser, likely: UInt16) -> UInt16? {
            if likely != 0, users[Int(likely) - 1] == user { return likely }
            if let index = users.firstIndex(of: user) { return UInt16(index + 1) }
            guard users.count < EngineCache.maximumUsers else { return nil }
            users.append(user)
            return UInt16(users.count)
        }
    }

    /// The lengths of what an `EngineBytes` holds; `absent` for a key the user has not. Two
    /// octets each (no datagram carries a longer engine ID) keep a usual engine in 112 octets.
    private struct Lengths {
        var id: UInt16
        var authentication: UInt16
        var privacy: UInt16

        static let absent = UInt16.max
    }

    /// An engine's ID, then its authentication and privacy keys when it has them, in one
    /// allocation. Never changed once made.
    private final class EngineBytes: ManagedBuffer<Lengths, UInt8> {
        /// Nil when a part is too long to be counted in two octets.
        static func make(id: [UInt8], keys: LocalizedKeys?) -> EngineBytes? {
            let authentication = keys?.authentication
            let privacy = keys?.privacy
            let parts = [id, authentication, privacy]
            guard parts.allSatisfy({ ($0?.count ?? 0) < Lengths.absent }) else { return nil }
            let made = create(minimumCapacity: parts.reduce(0) { $0 + ($1?.count ?? 0) }) { _ in
                Lengths(
                    id: UInt16(id.count),
                    authentication: authentication.map { UInt16($0.count) } ?? Lengths.absent,
                    privacy: privacy.map { UInt16($0.count) } ?? Lengths.absent)
            }
            made.withUnsafeMutablePointerToElements { elements in
                var next = elements
                for part in parts {
                    guard let part else { continue }
                    part.withUnsafeBufferPointer {
                        if let base = $0.baseAddress { next.initialize(from: base, count: $0.count) }
                    }
                    next += part.count
                }
            }
            // `create` makes an instance of the subclass it is called on.
            return unsafeDowncast(made, to: EngineBytes.self)
        }

        /// The ID and the keys (none when none were stored).
        var contents: (id: [UInt8], keys: LocalizedKeys) {
            withUnsafeMutablePointers { lengths, elements in
                let lengths = lengths.pointee
                var next = UnsafePointer(elements)
                func take(_ length: UInt16) -> [UInt8]? {
                    guard length != Lengths.absent else { return nil }
                    defer { next += Int(length) }
                    return Array(UnsafeBufferPointer(start: next, count: Int(length)))
                }
                let id = take(lengths.id) ?? []
                let authentication = take(lengths.authentication)
                let privacy = take(lengths.privacy)
                return (id, LocalizedKeys(authentication: authentication, privacy: privacy))
            }
        }

        /// Whether these bytes are `id` and `keys`: compared in place, for every answer asks.
        func holds(id: [UInt8], keys: LocalizedKeys?) -> Bool {
            withUnsafeMutablePointers { lengths, elements in
                var next = UnsafePointer(elements)
                func matches(_ part: [UInt8]?, _ length: UInt16) -> Bool {
                    guard let part else { return length == Lengths.absent }
                    guard Int(length) == part.count else { return false }
                    defer { next += part.count }
                    return part.elementsEqual(UnsafeBufferPointer(start: next, count: part.count))
                }
                return matches(id, lengths.pointee.id)
                    && matches(keys?.authentication, lengths.pointee.authentication)
                    && matches(keys?.privacy, lengths.pointee.privacy)
            }
        }
    }
}
