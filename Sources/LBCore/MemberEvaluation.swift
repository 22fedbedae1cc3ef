/// One node seen from one alias: what each of its addresses says about the alias, and the
/// single load that ranks the node.
///
/// The rule, defined here because golbd's depended on resolver order:
/// - the node's load is the lowest usable load among its addresses;
/// - the addresses published for the node are exactly those that reported a usable load, so a
///   dual-stack node answering over IPv4 only is published with its A record only;
/// - a node with no usable address is unusable; its `state` says why, preferring the most
///   informative cause: a load reported by an address (e.g. a negative lbclient code), then an
///   error, then an answer not listing the alias, then silence (a timeout).
public struct MemberEvaluation: Hashable, Sendable {
    /// What one address says about the alias.
    public enum AddressOutcome: Hashable, Sendable {
        case load(Int)
        /// A per-alias answer that does not list this alias.
        case notListed
        /// No load from this address: the poll failed, or a per-alias answer lists the alias
        /// with a value that is not an integer (`PollFailure.malformedLoad`).
        case failure(PollFailure)
    }

    /// Whether the node can be published for the alias, and if not, why.
    public enum State: Hashable, Sendable {
        case usable(load: Int)
        /// Some address answered, but with a load outside 1...99 999 (the value of the first
        /// address, in resolver order, that gave one).
        case unusableLoad(Int)
        /// No address gave a load; the most informative failure (a timeout only when every
        /// address was silent).
        case failed(PollFailure)
        case notListed
        /// The name did not resolve to any address.
        case unresolved(String?)

        public var isUsable: Bool {
            if case .usable = self { return true }
            return false
        }

        /// The failure that made the node unusable, for `.failed`.
        public var failure: PollFailure? {
            if case .failed(let failure) = self { return failure }
            return nil
        }
    }

    /// One address of the node and what it says about the alias.
    public struct AddressEvaluation: Hashable, Sendable {
        public var address: NodeAddress
        public var outcome: AddressOutcome
    }

    public let node: String
    /// Every resolved address in resolver order, answered or not.
    public let addresses: [AddressEvaluation]
    public let state: State

    /// The addresses published when this node is chosen: those that answered usably.
    ///
    /// Derived when asked rather than stored: only the chosen members need it, and an array for
    /// every member of every kept evaluation cost about 10 MB at 20,000 aliases.
    public var usableAddresses: [NodeAddress] {
        addresses.compactMap { evaluation in
            if case .load(let load) = evaluation.outcome, Load.isUsable(load) { return evaluation.address }
            return nil
        }
    }

    /// Evaluates `report` for `alias`.
    public init(report: NodeReport, alias: String) {
        node = report.node
        addresses = report.addresses.map {
            AddressEvaluation(address: $0.address, outcome: Self.outcome(of: $0.reply, for: alias))
        }
        state = Self.state(of: addresses, resolutionFailure: report.resolutionFailure)
    }

    /// The load used for ranking and display: the usable load, else the unusable one reported.
    public var load: Int? {
        switch state {
        case .usable(let load), .unusableLoad(let load): return load
        default: return nil
        }
    }

    static func outcome(of reply: AddressReply, for alias: String) -> AddressOutcome {
        switch reply {
        case .integer(let load):
            return .load(load)
        case .text(let text):
            switch AliasLoadList.lookup(alias, in: text) {
            case .load(let load): return .load(load)
            case .notListed: return .notListed
            case .malformed(let value): return .failure(.malformedLoad(value))
            }
        case .failure(let failure):
            return .failure(failure)
        }
    }

    private static func state(of addresses: [AddressEvaluation], resolutionFailure: String?) -> State {
        if addresses.isEmpty { return .unresolved(resolutionFailure) }
        var lowestUsable: Int?
        var firstUnusable: Int?
        var firstFailure: PollFailure?
        var firstSilence: PollFailure?
        var listed = true
        for address in addresses {
            switch address.outcome {
            case .load(let load) where Load.isUsable(load):
                lowestUsable = min(lowestUsable ?? load, load)
            case .load(let load):
                firstUnusable = firstUnusable ?? load
            case .failure(let failure) where failure.isSilence:
                firstSilence = firstSilence ?? failure
            case .failure(let failure):
                firstFailure = firstFailure ?? failure
            case .notListed:
                listed = false
            }
        }
        if let lowestUsable { return .usable(load: lowestUsable) }
        if let firstUnusable { return .unusableLoad(firstUnusable) }
        if let firstFailure { return .failed(firstFailure) }
        if !listed { return .notListed }
        // Every outcome left is silence, so `firstSilence` is set; the default only satisfies the type.
        return .failed(firstSilence ?? .timeout(attempts: 0))
    }
}
