import DNS

extension TSIGKey {
    /// The key as the DNS library signs with it, or why the configuration cannot be one.
    var dnsKey: Result<DNS.TSIGKey, PublishingFailure> {
        let name: DomainName
        do {
            name = try DomainName(parsing: self.name)
        } catch {
            return .failure(PublishingFailure("TSIG key name '\(self.name)' is not a domain name: \(error)"))
        }
        guard let key = DNS.TSIGKey(name: name, algorithm: algorithm, base64Secret: secret) else {
            return .failure(PublishingFailure("the secret of TSIG key \(self.name) is not base64"))
        }
        return .success(key)
    }
}
