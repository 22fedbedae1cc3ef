/// The key under which lbd knows a DNS name (an alias or a member): lower-cased, without the
/// trailing dot. Configuration and node answers go through this one function, so that an alias
/// written `WWW.example.org.` in one and `www.example.org` in the other still match.
public func aliasKey(_ name: some StringProtocol) -> String {
    var name = Substring(name)
    if name.hasSuffix(".") { name = name.dropLast() }
    return name.lowercased()
}
