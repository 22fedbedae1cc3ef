import Foundation
import LBCore
import Logging
import Synchronization

/// The operator's drains, kept in the state directory (`drains.json`) so that they survive a
/// restart, with every change appended to `drains.log`.
///
/// Writers (`lbd drain`, `lbd undrain`, the API, lbd pruning an expired drain) read, change and
/// write the file under an exclusive lock (`DrainLock`), so that none loses another's change.
/// The engine reads the drains held in memory (`activeDrains(at:)`), which `load()` replaces
/// only with a file that decodes whole: a damaged file leaves lbd with the drains it had.
public final class DrainBook: DrainSource {
    /// The state directory.
    public let directory: String
    /// `drains.json`.
    public let path: String
    /// `drains.log`, the audit trail.
    public let auditPath: String
    let lockPath: String
    private let unixTime: @Sendable () -> Int
    private let held = Mutex<[Drain]>([])

    /// - Parameter unixTime: the wall clock, in seconds since 1970: when drains are made and
    ///   when they expire.
    public init(
        stateDirectory: String,
        unixTime: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    ) {
        self.directory = stateDirectory
        self.path = (stateDirectory as NSString).appendingPathComponent(DrainFile.name)
        self.auditPath = (stateDirectory as NSString).appendingPathComponent(DrainAuditLine.fileName)
        self.lockPath = (stateDirectory as NSString).appendingPathComponent(DrainLock.name)
        self.unixTime = unixTime
    }

    /// Seconds since 1970, by the book's clock.
    public var now: Int { unixTime() }

    /// The drains held in memory, in the order of the file.
    public var drains: [Drain] { held.withLock { $0 } }

    public func activeDrains(at unixTime: Int) -> [Drain] {
        held.withLock { $0.filter { $0.isActive(at: unixTime) } }
    }

    /// Reads the file and holds what it says. A missing file holds no drain; a file that cannot
    /// be used throws, and the drains held before are kept.
    @discardableResult
    public func load() throws(DrainBookError) -> [Drain] {
        let drains = try DrainFile.read(path)
        held.withLock { $0 = drains }
        return drains
    }

    /// Adds `drain`, replacing any drain of the same node and alias (`all aliases` being one
    /// alias of its own).
    @discardableResult
    public func add(_ drain: Drain) throws(DrainBookError) -> DrainChange {
        if let problem = DrainFile.problem(with: drain) { throw .invalidDrain(problem) }
        let key = Self.key(drain)
        return try change { drains throws(DrainBookError) in
            var change = DrainChange(added: drain)
            if let index = drains.firstIndex(where: { Self.key($0) == key }) {
                change.replaced = drains[index]
                drains[index] = drain
            } else {
                guard drains.count < DrainFile.countLimit else {
                    throw .invalidDrain(
                        "\(path) already holds \(DrainFile.countLimit) drains: undrain some first")
                }
                drains.append(drain)
            }
            return change
        }
    }

    /// Removes the drains of `node`: the one for `alias` only when given, else every one.
    ///
    /// - Parameter by: who removed them (the audit line).
    @discardableResult
    public func remove(node: String, alias: String? = nil, by: String) throws(DrainBookError) -> DrainChange {
        let node = Self.normal(node)
        let alias = alias.map(Self.normal)
        return try change(by: by) { drains throws(DrainBookError) in
            let matches: (Drain) -> Bool = { drain in
                Self.normal(drain.node) == node && (alias == nil || drain.alias.map(Self.normal) == alias)
            }
            let removed = drains.filter(matches)
            drains.removeAll(where: matches)
            return DrainChange(removed: removed)
        }
    }

    /// Drops the drains that expired (and says so in the audit log); writes nothing when none did.
    @discardableResult
    public func pruneExpired() throws(DrainBookError) -> [Drain] {
        guard held.withLock({ $0.contains { !$0.isActive(at: unixTime()) } }) else { return [] }
        return try change { _ throws(DrainBookError) in DrainChange() }.expired
    }

    /// Reads the file fresh under the lock, lets `body` change the drains, drops the expired
    /// ones, writes the file (when something changed) and appends the audit lines.
    private func change(
        by remover: String? = nil, _ body: (inout [Drain]) throws(DrainBookError) -> DrainChange
    ) throws(DrainBookError) -> DrainChange {
        try prepareDirectory()
        // Also when the change fails (a damaged file, the count limit): the lock file is made
        // before, and one left to root would keep lbd from ever pruning an expired drain.
        defer { matchDirectoryOwner([lockPath, path, auditPath]) }
        return try DrainLock.holding(lockPath) { () throws(DrainBookError) -> DrainChange in
            let before = try DrainFile.read(path)
            var drains = before
            var change = try body(&drains)
            let now = unixTime()
            change.expired = drains.filter { !$0.isActive(at: now) }
            drains.removeAll { !$0.isActive(at: now) }
            if drains != before { try DrainFile.write(drains, to: path) }
            held.withLock { $0 = drains }
            var lines = change.expired.map { DrainAuditLine(time: now, action: .expired, drain: $0) }
            lines += change.removed.map {
                DrainAuditLine(time: now, action: .undrain, drain: $0, by: remover)
            }
            if let added = change.added, added.isActive(at: now) {
                lines.append(DrainAuditLine(time: now, action: .drain, drain: added))
            }
            try DrainAuditLine.append(lines, to: auditPath)
            return change
        }
    }

    /// `sudo lbd drain` runs as root: the files it creates are given to the state directory's
    /// owner (lbd's user), or the running lbd could not take the lock, prune or append.
    private func matchDirectoryOwner(_ paths: [String]) {
        guard geteuid() == 0 else { return }
        var status = stat()
        guard stat(directory, &status) == 0, status.st_uid != 0 else { return }
        for path in paths { _ = chown(path, status.st_uid, status.st_gid) }
    }

    private func prepareDirectory() throws(DrainBookError) {
        guard !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw .unwritable(
                path: directory, reason: "cannot create the state directory: \(error.localizedDescription)")
        }
    }

    /// Node and alias as drains compare them: without case, a trailing dot ignored.
    static func key(_ drain: Drain) -> String {
        "\(normal(drain.node)) \(drain.alias.map(normal) ?? "")"
    }

    static func normal(_ name: String) -> String {
        Drain.comparableName(name)
    }
}

extension DrainBook {
    /// The book of `stateDirectory`, read now; a file that cannot be used is logged (naming
    /// it) and lbd starts with no drain rather than not at all.
    public static func loaded(stateDirectory: String, logger: Logger) -> DrainBook {
        let book = DrainBook(stateDirectory: stateDirectory)
        do {
            let drains = try book.load()
            let inForce = drains.filter { $0.isActive(at: book.now) }
            if !inForce.isEmpty {
                logger.notice(
                    "\(inForce.count) drain(s) in force from \(book.path): \(inForce.map { "\($0.node)\($0.alias.map { " in \($0)" } ?? "")" }.joined(separator: ", "))",
                    metadata: ["action": "drains-loaded"])
            }
        } catch {
            logger.error(
                "\(error.description); starting with no drain", metadata: ["action": "drains-unusable"])
        }
        return book
    }
}
