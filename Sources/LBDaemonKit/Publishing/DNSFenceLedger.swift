import DNS
import Synchronization

/// Which token this instance last moved each fence to, per zone and view, so that publications
/// with that token send their UPDATEs without reading the fence first.
///
/// Invariant: an entry is only written after the server confirmed the fence holds the token
/// (a compare-and-swap accepted, or a read), and is dropped as soon as an UPDATE is refused on
/// the fence, so that the next publication reads it again.
final class DNSFenceLedger: Sendable {
    private struct Key: Hashable {
        var zone: DomainName
        var view: String
    }

    private let tokens = Mutex<[Key: Int64]>([:])

    init() {}

    /// The token the fence of `zone` in `view` was last known to hold.
    func token(zone: DomainName, view: String) -> Int64? {
        tokens.withLock { $0[Key(zone: zone, view: view)] }
    }

    func record(_ token: Int64, zone: DomainName, view: String) {
        tokens.withLock { $0[Key(zone: zone, view: view)] = token }
    }

    func forget(zone: DomainName, view: String) {
        tokens.withLock { $0[Key(zone: zone, view: view)] = nil }
    }
}
