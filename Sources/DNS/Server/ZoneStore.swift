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
        var observers: [Int: @Sendable (Zone) -> Void] = [:]
        var nextObserver = 0
        /// While observers are suspended, the origins changed or announced meanwhile; nil otherwise.
        var held: Set<DomainName>?
    }

    private let state = Mutex(State())
    private let historyLimit: Int
    /// Moves on every change of any zone, under the state's lock.
    private let changes = Atomic<UInt64>(0)

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
        let (stored, observers) = state.withLock { state in
            let old = state.zones[zone.origin]
            let stored = Self.replace(zone, in: &state, historyLimit: historyLimit)
            // Every stored change moves the serial, so comparing serials is enough.
            let changed = old.map { $0.soa.serial != stored.soa.serial } ?? true
            if changed { changes.add(1, ordering: .releasing) }
            return (stored, changed ? Self.observers(of: zone.origin, in: &state) : [])
        }
        for observer in observers { observer(stored) }
        return stored
    }

    /// Replaces the zone at `origin` by what `change` makes of its current version, under one
    /// lock so that concurrent changes are not lost; nil when there is no such zone.
    func modify(
        _ origin: DomainName, _ change: (Zone) -> Result<Zone, UpdateFailure>
    ) -> Result<Zone, UpdateFailure>? {
        let (outcome, observers) = state.withLock {
            state -> (Result<Zone, UpdateFailure>?, [@Sendable (Zone) -> Void]) in
            guard let current = state.zones[origin] else { return (nil, []) }
            let outcome = change(current).map { Self.replace($0, in: &state, historyLimit: historyLimit) }
            guard case .success(let stored) = outcome, stored.soa.serial != current.soa.serial else {
                return (outcome, [])
            }
            changes.add(1, ordering: .releasing)
            return (outcome, Self.observers(of: origin, in: &state))
        }
        if case .success(let stored)? = outcome {
            for observer in observers { observer(stored) }
        }
        return outcome
    }

    /// Calls `observer` with the new version each time a zone is added or changed, after the
    /// change is visible to readers, on the thread that made it: it must return quickly. Returns
    /// a token for `removeObserver(_:)`.
    @discardableResult
    public func addObserver(_ observer: @escaping @Sendable (Zone) -> Void) -> Int {
        state.withLock { state in
            let token = state.nextObserver
            state.nextObserver += 1
            state.observers[token] = observer
            return token
        }
    }

    /// Stops calling the observer `addObserver(_:)` returned `token` for.
    public func removeObserver(_ token: Int) {
        state.withLock { _ = $0.observers.removeValue(forKey: token) }
    }

    /// Holds the observers (and so the NOTIFYs of a server answering from this store) until
    /// `resumeObservers()`: zones still change and are answered at once, but nobody is told.
    /// A primary that is rebuilding its zones uses it so that secondaries never fetch a state
    /// that is not complete yet.
    public func suspendObservers() {
        state.withLock { state in
            if state.held == nil { state.held = [] }
        }
    }

    /// Ends `suspendObservers()`: the observers hear once, with its current version, of every
    /// zone that changed or was announced (`holdIfSuspended(_:)`) meanwhile and still exists,
    /// in origin order. Does nothing when not suspended.
    public func resumeObservers() {
        let (zones, observers) = state.withLock { state -> ([Zone], [@Sendable (Zone) -> Void]) in
            guard let held = state.held else { return ([], []) }
            state.held = nil
            let zones = held.compactMap { state.zones[$0] }.sorted {
                $0.origin.normalised < $1.origin.normalised
            }
            return (zones, Array(state.observers.values))
        }
        for zone in zones {
            for observer in observers { observer(zone) }
        }
    }

    /// Whether observers are suspended.
    public var observersSuspended: Bool {
        state.withLock { $0.held != nil }
    }

    /// When observers are suspended, remembers `origin` for `resumeObservers()` and returns
    /// true: the caller (which wanted to announce it) must wait. False when not suspended.
    func holdIfSuspended(_ origin: DomainName) -> Bool {
        state.withLock { state in
            guard state.held != nil else { return false }
            state.held?.insert(origin)
            return true
        }
    }

    /// The observers to call for a change of `origin` now: none while they are suspended (the
    /// origin is remembered instead).
    private static func observers(of origin: DomainName, in state: inout State) -> [@Sendable (Zone) -> Void]
    {
        guard state.held == nil else {
            state.held?.insert(origin)
            return []
        }
        return Array(state.observers.values)
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
            guard state.zones.removeValue(forKey: origin) != nil else { return false }
            changes.add(1, ordering: .releasing)
            return true
        }
    }

    /// A number that changes whenever any zone does (replaced with new content, modified,
    /// added or removed). An answer computed from `zones` read after `version` returned `v` is
    /// current while `version` is still `v`.
    var version: UInt64 {
        changes.load(ordering: .acquiring)
    }

    /// The current version of the zone at `origin`.
    public func zone(_ origin: DomainName) -> Zone? {
        state.withLock { $0.zones[origin] }
    }

    /// The current version of every zone, by origin: one consistent snapshot to answer from.
    public var zones: [DomainName: Zone] {
        state.withLock { $0.zones }
    }

    /// The current version of the zone at `origin` and the differences that led to it, read
    /// together so that an incremental transfer ends at exactly that version.
    public func zoneWithHistory(_ origin: DomainName) -> (zone: Zone, history: [ZoneDifference])? {
        state.withLock { state in
            state.zones[origin].map { ($0, state.history[origin] ?? []) }
        }
    }

    /// The kept differences of the zone at `origin`, oldest first; consecutive ones chain
    /// (each `oldSerial` is the previous `newSerial`).
    public func history(_ origin: DomainName) -> [ZoneDifference] {
        state.withLock { $0.history[origin] ?? [] }
    }
}
