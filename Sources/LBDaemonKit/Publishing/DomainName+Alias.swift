import DNS

extension DomainName {
    /// The name of an alias as configured (`AliasConfiguration.name`, no trailing dot).
    init(alias: String) throws(PublishingFailure) {
        do {
            try self.init(parsing: alias.hasSuffix(".") ? alias : alias + ".")
        } catch {
            throw PublishingFailure(.invalidAlias, "alias '\(alias)' is not a domain name: \(error)")
        }
    }
}
