/// What one address of a node answered to lbd's poll.
public enum AddressReply: Hashable, Sendable {
    /// An SNMP INTEGER: one load for every alias the node belongs to.
    case integer(Int)
    /// An SNMP OCTET STRING: per-alias loads, `alias1=12,alias2=-5`.
    case text(String)
    /// No load: silence after every attempt, an answer lbd must not trust, an SNMP error.
    case failure(PollFailure)
}

/// One polled address of a node and its reply.
public struct AddressReport: Hashable, Sendable {
    public var address: NodeAddress
    public var reply: AddressReply

    public init(address: NodeAddress, reply: AddressReply) {
        self.address = address
        self.reply = reply
    }
}
