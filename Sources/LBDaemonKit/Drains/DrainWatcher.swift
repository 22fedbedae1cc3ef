import LBCore
import Logging

/// Follows the drains file for a running lbd: notices a change (a cheap stat), reads it into
/// the `DrainBook`, logs each drain that came, went or expired, and has the engine decide again
/// at once the aliases of the nodes concerned, so that a drained node leaves DNS (and comes
/// back at its drain's expiry) without waiting for its alias's next poll.
///
/// A file that cannot be read is logged once per distinct error, and the drains held before
/// stay in force.
public actor DrainWatcher {
    private let book: DrainBook
    private let engine: EvaluationEngine
    private let logger: Logger
    private let file: ConfigurationFileWatcher
    private var stamp: ConfigurationFileWatcher.Stamp?
    /// The drains in force at the last check, by node and alias.
    private var active: [String: Drain]
    /// The error last logged about the file, so that it is logged once.
    private var failure: String?

    /// - Parameter book: already loaded (lbd reads it before the first evaluation).
    public init(book: DrainBook, engine: EvaluationEngine, logger: Logger) {
        self.book = book
        self.engine = engine
        self.logger = logger
        self.file = ConfigurationFileWatcher(path: book.path)
        self.stamp = file.stamp()
        self.active = Self.byKey(book.activeDrains(at: book.now))
    }

    /// Reads the file when it changed, applies what changed and what expired since the last
    /// check; returns the member names whose aliases were decided again.
    @discardableResult
    public func check() async -> Set<String> {
        let current = file.stamp()
        if current != stamp {
            stamp = current
            reload()
        }
        let now = book.now
        let inForce = Self.byKey(book.activeDrains(at: now))
        var nodes: Set<String> = []
        for (key, drain) in inForce.sorted(by: { $0.key < $1.key }) where active[key] != drain {
            nodes.insert(drain.node)
            log(
                drain, action: "drain",
                "\(drain.node) drained for \(Self.scope(drain)) by \(drain.by): \(drain.reason)\(Self.until(drain))"
            )
        }
        for (key, drain) in active.sorted(by: { $0.key < $1.key }) where inForce[key] == nil {
            nodes.insert(drain.node)
            if let until = drain.until, until <= now {
                log(
                    drain, action: "drain-expired",
                    "\(drain.node) is back in \(Self.scope(drain)): the drain by \(drain.by) expired (\(drain.reason))"
                )
            } else {
                log(
                    drain, action: "undrain",
                    "\(drain.node) undrained for \(Self.scope(drain)) (drained by \(drain.by): \(drain.reason))"
                )
            }
        }
        active = inForce
        if book.drains.count != inForce.count { prune() }
        guard !nodes.isEmpty else { return [] }
        var members: Set<String> = []
        for node in nodes { members.formUnion(await engine.members(named: node)) }
        if !members.isEmpty { await engine.refresh(nodes: members, repoll: false) }
        return members
    }

    private func reload() {
        do {
            try book.load()
            if failure != nil {
                logger.notice("drains file \(book.path) read again", metadata: ["action": "drains-loaded"])
            }
            failure = nil
        } catch {
            guard error.description != failure else { return }
            failure = error.description
            logger.error(
                "\(error.description); the \(book.drains.count) drain(s) read before stay in force",
                metadata: ["action": "drains-unusable"])
        }
    }

    /// Drops expired drains from the file, so that the audit log says when they expired.
    private func prune() {
        do {
            try book.pruneExpired()
            stamp = file.stamp()
        } catch {
            guard error.description != failure else { return }
            failure = error.description
            logger.warning(
                "cannot drop the expired drains: \(error.description)",
                metadata: ["action": "drains-unusable"])
        }
    }

    private func log(_ drain: Drain, action: String, _ message: String) {
        var metadata: Logger.Metadata = [
            "action": "\(action)", "node": "\(drain.node)", "by": "\(drain.by)", "reason": "\(drain.reason)",
        ]
        if let alias = drain.alias { metadata["alias"] = "\(alias)" }
        if let until = drain.until { metadata["until"] = "\(until)" }
        logger.notice("\(message)", metadata: metadata)
    }

    private static func scope(_ drain: Drain) -> String {
        drain.alias ?? "all aliases"
    }

    private static func until(_ drain: Drain) -> String {
        drain.until.map { " (until \(DrainListing.time($0)))" } ?? ""
    }

    private static func byKey(_ drains: [Drain]) -> [String: Drain] {
        Dictionary(drains.map { (DrainBook.key($0), $0) }, uniquingKeysWith: { first, _ in first })
    }
}
