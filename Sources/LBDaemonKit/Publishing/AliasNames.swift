import DNS
import Synchronization

/// The DNS names of the aliases a publisher writes, each parsed once: the names of the
/// configuration when the publisher is built, an alias added by a reload at its first publication.
///
/// Invariant: the name of an alias, once parsed, is never parsed again.
final class AliasNames: Sendable {
    private let names: Mutex<[String: DomainName]>

    /// Parses `aliases` (configuration names, no trailing dot); an invalid one is left for
    /// ``name(of:)`` to report.
    init(_ aliases: some Sequence<String>) {
        var names: [String: DomainName] = [:]
        for alias in aliases {
            if let name = try? DomainName(alias: alias) { names[alias] = name }
        }
        self.names = Mutex(names)
    }

    /// The DNS name of `alias`.
    func name(of alias: String) throws(PublishingFailure) -> DomainName {
        if let known = names.withLock({ $0[alias] }) { return known }
        let parsed = try DomainName(alias: alias)
        names.withLock { $0[alias] = parsed }
        return parsed
    }
}
