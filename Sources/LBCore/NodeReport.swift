/// Everything lbd learned about one member node in one poll: the addresses its name resolved
/// to, in resolver order, and what each of them answered.
///
/// A node whose name did not resolve has no addresses; `resolutionFailure` then says why.
public struct NodeReport: Hashable, Sendable {
    /// The member name as written in the configuration.
    public var node: String
    public var addresses: [AddressReport]
    public var resolutionFailure: String?

    public init(node: String, addresses: [AddressReport], resolutionFailure: String? = nil) {
        self.node = node
        self.addresses = addresses
        self.resolutionFailure = resolutionFailure
    }
}
