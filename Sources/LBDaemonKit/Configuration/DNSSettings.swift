import DNS
import Foundation

/// Where and how lbd publishes aliases by RFC 2136 UPDATE.
public struct DNSSettings: Hashable, Sendable {
    /// The primary server that receives UPDATEs and answers lbd's queries; `nil` when lbd does
    /// not publish through a DNS server.
    public var server: ServerAddress?
    /// Seconds to wait for one DNS answer.
    public var timeout: Double
    /// Extra attempts after a failed query or UPDATE.
    public var retries: Int
    /// The most UPDATEs in flight at once.
    public var maxConcurrentUpdates: Int
    /// The key signing UPDATEs of the internal view (every alias).
    public var internalView: DNSView?
    /// The key signing UPDATEs of the external view (external aliases only).
    public var externalView: DNSView?
    /// lbd's own DNS server, serving the aliases itself; nil when lbd does not serve DNS.
    public var embedded: EmbeddedDNSSettings?

    public init(
        server: ServerAddress? = nil, timeout: Double = 2, retries: Int = 3, maxConcurrentUpdates: Int = 4,
        internalView: DNSView? = nil, externalView: DNSView? = nil, embedded: EmbeddedDNSSettings? = nil
    ) {
        self.embedded = embedded
        self.server = server
        self.timeout = timeout
        self.retries = retries
        self.maxConcurrentUpdates = maxConcurrentUpdates
        self.internalView = internalView
        self.externalView = externalView
    }
}

/// A DNS view lbd updates: the TSIG key that selects it on the server, and optionally a server of
/// its own.
///
/// The key is built once, when the configuration is read: its name is a `DomainName` and its
/// secret decoded octets, so that publishing never parses them again. Invariant: `base64Secret`
/// decodes to `key.secret`.
public struct DNSView: Hashable, Sendable {
    /// The key that signs this view's queries and UPDATEs.
    public let key: TSIGKey
    /// The secret in base64 as the configuration wrote it, which `check-config --print` writes
    /// back unchanged.
    public let base64Secret: String
    /// Overrides `DNSSettings.server` for this view.
    public var server: ServerAddress?

    /// A view for a key made in code; its secret is written back in canonical base64.
    public init(key: TSIGKey, server: ServerAddress? = nil) {
        self.init(key: key, writtenAs: Data(key.secret).base64EncodedString(), server: server)
    }

    /// A view for a key read from a configuration, where `base64Secret` is the text that was
    /// decoded into `key.secret`.
    init(key: TSIGKey, writtenAs base64Secret: String, server: ServerAddress? = nil) {
        self.key = key
        self.base64Secret = base64Secret
        self.server = server
    }

    /// A view for a key given as configuration text: `keyName` a DNS name, `base64Secret` as in
    /// a BIND or Knot key file.
    ///
    /// - Throws: ``ConfigurationMessage`` naming the part that is wrong.
    public init(
        keyName: String, algorithm: TSIGAlgorithm, base64Secret: String, server: ServerAddress? = nil
    ) throws(ConfigurationMessage) {
        let name: DomainName
        do {
            name = try DomainName(parsing: keyName)
        } catch {
            throw ConfigurationMessage("key_name '\(keyName.prefix(80))' is not a DNS name: \(error)")
        }
        let key = try Self.key(named: name, algorithm: algorithm, base64Secret: base64Secret, what: "secret")
        self.init(key: key, writtenAs: base64Secret, server: server)
    }

    /// The key with `name`, `algorithm` and the secret `base64Secret`; `what` names the secret
    /// in the error (`secret`, `the TSIG secret of abcd-internal.`).
    static func key(
        named name: DomainName, algorithm: TSIGAlgorithm, base64Secret: String, what: String
    ) throws(ConfigurationMessage) -> TSIGKey {
        let checked = try ConfigurationValues.base64Secret(base64Secret, key: what)
        guard let key = TSIGKey(name: name, algorithm: algorithm, base64Secret: checked) else {
            throw ConfigurationMessage("\(what) must be a base64 secret (as in a BIND or Knot key file)")
        }
        return key
    }
}
