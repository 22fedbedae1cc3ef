/// The leadership's leave to publish once.
public struct PublishingPermit: Hashable, Sendable {
    /// The lease's fencing token, which every RFC 2136 UPDATE carries as a prerequisite so that
    /// the DNS server itself refuses a deposed instance; nil without a lease.
    public var fencingToken: Int64?

    public init(fencingToken: Int64? = nil) {
        self.fencingToken = fencingToken
    }
}
