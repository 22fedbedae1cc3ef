import DNS
import Foundation
import Logging
import NIOPosix
import Synchronization

/// lbd's state directory: keeps what lbd published (`PublishedState`) in memory and in
/// `published-state.json`, written again after each change.
///
/// Writing never holds up the caller: a change marks the state dirty, and one writer at a time
/// writes the newest state on NIO's blocking-I/O thread pool, so a burst of changes costs one
/// or two writes. A write that fails (full disk, read-only directory) is logged with its reason
/// and tried again at the next change; the in-memory state is kept, and lbd goes on.
public final class StateStore: Sendable {
    private struct Memory {
        var zones: [DomainName: Zone] = [:]
        var publications: [String: StoredPublication] = [:]
        var dirty = false
        var writing = false
        /// The reason of the last failed write, so that the same failure is logged once.
        var failure: String?
        var writes = 0
    }

    /// The file the state is kept in.
    public let path: String
    private let logger: Logger
    private let memory = Mutex(Memory())
    private let writer: @Sendable (PublishedState, String) throws(StateFileError) -> Void

    /// A store for `directory`/`published-state.json`. The directory is not created here: a
    /// directory that is missing makes each write fail and say so.
    public convenience init(directory: String, logger: Logger) {
        self.init(
            directory: directory, logger: logger,
            writer: { state, path throws(StateFileError) in
                try StateFile.write(state, to: path)
            })
    }

    /// A store whose writes go through `writer` (tests slow it down or make it fail).
    init(
        directory: String, logger: Logger,
        writer: @escaping @Sendable (PublishedState, String) throws(StateFileError) -> Void
    ) {
        self.path = (directory as NSString).appendingPathComponent(StateFile.name)
        self.logger = logger
        self.writer = writer
    }

    /// Reads the file into memory and returns the zones it holds. A missing file is a first
    /// start; a file that cannot be read or is not lbd's is logged (naming the file) and lbd
    /// starts empty. Never throws: a bad state file must not keep lbd from starting.
    @discardableResult
    public func load() -> [Zone] {
        prepareDirectory()
        let state: PublishedState
        do {
            guard let read = try StateFile.read(path) else {
                logger.notice(
                    "no state file at \(path): first start, the zones are built by the first evaluations",
                    metadata: ["action": "state-missing"])
                return []
            }
            state = read
        } catch {
            logger.error(
                "\(error.description); starting without the published state",
                metadata: ["action": "state-unusable"])
            return []
        }
        // Validated by the decoder: these conversions succeed.
        let zones = state.zones.compactMap { try? $0.zone() }
        memory.withLock { memory in
            memory.zones = Dictionary(zones.map { ($0.origin, $0) }, uniquingKeysWith: { first, _ in first })
            memory.publications = Dictionary(
                state.publications.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        }
        logger.notice(
            "loaded the published state from \(path): \(zones.count) zone(s)",
            metadata: ["action": "state-loaded", "zones": "\(zones.count)"])
        return zones
    }

    /// Creates the state directory when it is missing (systemd's `StateDirectory=` usually
    /// has); a failure is logged, and each write will say why it fails.
    private func prepareDirectory() {
        let directory = (path as NSString).deletingLastPathComponent
        guard !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            logger.error(
                "cannot create the state directory \(directory): \(error.localizedDescription); the published state will not survive a restart",
                metadata: ["action": "state-write-failed"])
        }
    }

    /// The zones held now, by origin.
    public var zones: [DomainName: Zone] {
        memory.withLock { $0.zones }
    }

    /// The last publication recorded per alias and place.
    public var publications: [StoredPublication] {
        memory.withLock { $0.publications.values.sorted { $0.key < $1.key } }
    }

    /// The last publication recorded for `alias`, one per place: what the API shows of one alias,
    /// found without sorting every alias's under the lock the publishers record through.
    public func publications(of alias: String) -> [StoredPublication] {
        memory.withLock { memory in memory.publications.values.filter { $0.alias == alias } }
    }

    /// Makes `zones` the embedded server's zones, and writes the state soon.
    public func setZones(_ zones: [DomainName: Zone]) {
        change { $0.zones = zones }
    }

    /// Records what was last published for an alias in one place, and writes the state soon
    /// when it changed.
    public func record(_ publication: StoredPublication) {
        let changed = memory.withLock { $0.publications[publication.key] != publication }
        guard changed else { return }
        change { $0.publications[publication.key] = publication }
    }

    /// Forgets the publications of aliases not in `aliases` (dropped from the configuration).
    public func keepPublications(of aliases: Set<String>) {
        change { memory in
            memory.publications = memory.publications.filter { aliases.contains($0.value.alias) }
        }
    }

    /// How many writes succeeded since start.
    public var writes: Int {
        memory.withLock { $0.writes }
    }

    /// Waits until the newest state is written (or failed to be), for at most `timeout`.
    public func flush(timeout: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + timeout
        while memory.withLock({ $0.dirty || $0.writing }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func change(_ body: (inout Memory) -> Void) {
        let start = memory.withLock { memory in
            body(&memory)
            memory.dirty = true
            guard !memory.writing else { return false }
            memory.writing = true
            return true
        }
        guard start else { return }
        // Not a child task: a write must finish even when the changer is cancelled.
        Task.detached(priority: .utility) { await self.writeWhileDirty() }
    }

    /// Writes the newest state until no change is left unwritten.
    private func writeWhileDirty() async {
        while true {
            let snapshot = memory.withLock { memory -> ([DomainName: Zone], [StoredPublication])? in
                guard memory.dirty else {
                    memory.writing = false
                    return nil
                }
                memory.dirty = false
                return (memory.zones, memory.publications.values.sorted { $0.key < $1.key })
            }
            guard let (zones, publications) = snapshot else { return }
            let path = self.path
            let writer = self.writer
            let outcome: Result<Void, StateFileError>
            do {
                outcome = try await NIOThreadPool.singleton.runIfActive {
                    () -> Result<Void, StateFileError> in
                    Result { () throws(StateFileError) in
                        try writer(try Self.state(zones: zones, publications: publications, path: path), path)
                    }
                }
            } catch {
                outcome = .failure(.unwritable(path: path, reason: "the I/O thread pool is stopped"))
            }
            report(outcome)
        }
    }

    private func report(_ outcome: Result<Void, StateFileError>) {
        switch outcome {
        case .success:
            let recovered = memory.withLock { memory -> Bool in
                memory.writes += 1
                defer { memory.failure = nil }
                return memory.failure != nil
            }
            if recovered {
                logger.notice(
                    "the state file \(path) is written again", metadata: ["action": "state-written"])
            }
        case .failure(let error):
            let repeated = memory.withLock { memory -> Bool in
                defer { memory.failure = error.description }
                return memory.failure == error.description
            }
            let message: Logger.Message =
                "\(error.description); the state is kept in memory and written at the next change"
            if repeated {
                logger.debug(message, metadata: ["action": "state-write-failed"])
            } else {
                logger.error(message, metadata: ["action": "state-write-failed"])
            }
        }
    }

    /// The file's content for a snapshot; a zone that cannot be stored fails the write (the
    /// file keeps the previous state) and says which zone.
    private static func state(
        zones: [DomainName: Zone], publications: [StoredPublication], path: String
    ) throws(StateFileError) -> PublishedState {
        var stored: [StoredZone] = []
        for zone in zones.values.sorted(by: { $0.origin.normalised < $1.origin.normalised }) {
            do {
                stored.append(try StoredZone(zone))
            } catch {
                throw .unwritable(path: path, reason: "zone \(zone.origin) cannot be stored: \(error)")
            }
        }
        return PublishedState(zones: stored, publications: publications)
    }
}
