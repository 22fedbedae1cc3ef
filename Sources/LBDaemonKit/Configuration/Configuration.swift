import DNS
import LBCore
import SNMP

/// lbd's whole configuration, whichever format it was read from.
///
/// A loaded `Configuration` is always valid: every alias has members and sane parameters, and
/// every setting has its documented default.
public struct Configuration: Hashable, Sendable {
    /// The partition this instance serves; `nil` serves every alias.
    public var partition: String?
    /// The aliases, in file order.
    public var aliases: [AliasConfiguration]
    public var dns: DNSSettings
    public var snmp: SNMPSettings
    public var ha: HASettings
    public var http: HTTPSettings
    /// Limits on what one reload may change; applied from the configuration being loaded.
    public var reload: ReloadSettings
    /// Where the history of decisions is kept (`history:`); read at start only.
    public var history: HistorySettings = HistorySettings()

    public init(
        partition: String? = nil, aliases: [AliasConfiguration] = [], dns: DNSSettings = DNSSettings(),
        snmp: SNMPSettings = SNMPSettings(), ha: HASettings = HASettings(),
        http: HTTPSettings = HTTPSettings(), reload: ReloadSettings = ReloadSettings()
    ) {
        self.partition = partition
        self.aliases = aliases
        self.dns = dns
        self.snmp = snmp
        self.ha = ha
        self.http = http
        self.reload = reload
    }

    /// The aliases this instance polls and publishes: those of its partition, or all.
    public var servedAliases: [AliasConfiguration] {
        guard let partition else { return aliases }
        return aliases.filter { $0.partition == partition }
    }

    /// The alias named `name` (any case, trailing dot or not).
    public func alias(named name: String) -> AliasConfiguration? {
        let key = AliasConfiguration.normalisedName(name)
        return aliases.first { $0.name == key }
    }

    /// The alias named `name` (any case, trailing dot or not) when this instance serves it.
    public func servedAlias(named name: String) -> AliasConfiguration? {
        alias(named: name).flatMap { partition == nil || $0.partition == partition ? $0 : nil }
    }
}

/// One alias: its name, its member nodes and how it is evaluated.
public struct AliasConfiguration: Hashable, Sendable {
    /// The partition of aliases that have none.
    public static let defaultPartition = "default"

    /// The alias name, lower-cased, without the trailing dot.
    public var name: String
    /// Member node names (or address literals), lower-cased, de-duplicated, in file order.
    public var members: [String]
    public var parameters: AliasParameters
    public var partition: String
    /// The HAProxy backend lbd drives for the alias (`haproxy:`), if any.
    public var haproxy: HAProxySettings?

    public init(
        name: String, members: [String], parameters: AliasParameters = AliasParameters(),
        partition: String = AliasConfiguration.defaultPartition, haproxy: HAProxySettings? = nil
    ) {
        self.name = Self.normalisedName(name)
        self.members = members
        self.parameters = parameters
        self.partition = partition
        self.haproxy = haproxy
    }

    /// The key under which lbd knows a DNS name: lower-cased, without the trailing dot.
    public static func normalisedName(_ name: String) -> String {
        aliasKey(name)
    }
}
