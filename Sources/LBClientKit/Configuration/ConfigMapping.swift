/// One configuration file and the aliases whose load it gives.
///
/// Aliases without a file of their own share the default file and are evaluated once, together.
public struct ConfigMapping: Sendable, Hashable {
    /// Path of the configuration file.
    public var path: String
    /// The aliases reported with this file's value, in `lbaliases` order.
    public var aliases: [String]
    /// True for `lbclient.conf.<alias>`; false for the shared default file.
    public var isAliasSpecific: Bool

    public init(path: String, aliases: [String], isAliasSpecific: Bool) {
        self.path = path
        self.aliases = aliases
        self.isAliasSpecific = isAliasSpecific
    }
}
