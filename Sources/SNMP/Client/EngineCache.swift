import NIOCore
import Synchronization

/// What the client knows of each agent's SNMPv3 engine: its ID, and its boots and time as of a
/// local instant, so the time can be estimated without asking again (RFC 3414 section 2.3).
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

    private let entries = Mutex<[SocketAddress: Entry]>([:])

    func entry(for address: SocketAddress) -> Entry? {
        entries.withLock { $0[address] }
    }

    func store(_ entry: Entry, for address: SocketAddress) {
        entries.withLock { $0[address] = entry }
    }

    func forget(_ address: SocketAddress) {
        _ = entries.withLock { $0.removeValue(forKey: address) }
    }
}
