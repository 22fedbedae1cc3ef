import Synchronization

/// The current version of every zone the server is authoritative for. Each zone is replaced
/// whole and atomically: a query sees either the old version or the new one. The store makes
/// sure the SOA serial grows on every change, since secondaries only transfer a zone whose serial
/// went up, and keeps the recent differences for incremental transfers.
public final class ZoneStore: Sendable {
    /// How many differences are kept per zone by default.
    public static let defaultHistoryLimit = 16

    private struct State {
        var zones: [DomainName: Zone] = [:]
        var history: [DomainName: [ZoneDifference]] = [:]
    }

    private let state = Mutex(State())
    private let historyLimit: Int

    /// An empty store keeping the last `historyLimit` differences of each zone.
    public init(historyLimit: Int = ZoneStore.defaultHistoryLimit) {
        self.historyLimit = max(0, historyLimit)
    }

    /// Makes `zone` the current version of its origin and returns the version stored. If it
    /// changes anything and its serial is not newer (RFC 1982) than the current one, the stored
    /// version gets the current serial + 1. Replacing a zone by the same content is no change:
    /// the current version stays, serial included.
    @discardableResult
    public func replace(_ zone: Zone) -> Zone {
        state.withLock { state in Self.replace(zone, in: &state, historyLimit: historyLimit) }
    }

    /// Replaces the zone at `origin` by what `change` makes of its current version, under one
    /// lock so that concurrent changes are not lost; nil when there is no such zone.
    func modify(
        _ origin: DomainName, _ change: (Zone) -> Result<Zone, UpdateFailure>
    ) -> Result<Zone, UpdateFailure>? {
        state.withLock { state in
            guard let current = state.zones[origin] else { return nil }
            return change(current).map { Self.replace($0, in: &state, historyLimit: historyLimit) }
        }
    }

    private static func replace(_ zone: Zone, in state: inout State, historyLimit: Int) -> Zone {
        guard let old = state.zones[zone.origin] else {
            state.zones[zone.origin] = zone
            return zone
        }
        if zone.hasSameContent(as: old) && !SerialNumber.isGreater(zone.soa.serial, than: old.soa.serial) {
            return old
        }
        let new =
            SerialNumber.isGreater(zone.soa.serial, than: old.soa.serial)
            ? zone : zone.withSerial(SerialNumber.next(after: old.soa.serial))
        state.zones[zone.origin] = new
        var differences = state.history[zone.origin, default: []]
        differences.append(ZoneDifference(from: old, to: new))
        if differences.count > historyLimit { differences.removeFirst(differences.count - historyLimit) }
        state.history[zone.origin] = differences
        return new
    }

    /// Stops serving the zone at `origin`, forgetting its history; returns whether it was there.
    @discardableResult
    public func remove(_ origin: DomainName) -> Bool {
        state.withLock { state in
            state.history[origin] = nil
            return state.zones.removeValue(forKey: origin) != nil
        }
    }

    /// The current version of the zone at `origin`.
    public func zone(_ origin: DomainName) -> Zone? {
        state.withLock { $0.zones[origin] }
    }

    /// The current version of every zone, by origin: one consistent snapshot to answer from.
    public var zones: [DomainName: Zone] {
        state.withLock { $0.zones }
    }

    /// The kept differences of the zone at `origin`, oldest first; consecutive ones chain
    /// (each `oldSerial` is the previous `newSerial`).
    public func history(_ origin: DomainName) -> [ZoneDifference] {
        state.withLock { $0.history[origin] ?? [] }
    }
}
