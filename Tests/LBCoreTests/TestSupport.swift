import Testing

@testable import LBCore

/// Parses an address literal written in a test; records an issue (and returns 0.0.0.0) on a typo.
func ip(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> NodeAddress {
    guard let address = NodeAddress(text) else {
        Issue.record("test literal '\(text)' is not an address", sourceLocation: sourceLocation)
        return .ipv4(0)
    }
    return address
}

/// A node report from `(address, reply)` pairs, in resolver order.
func report(_ node: String, _ replies: [(String, AddressReply)], resolutionFailure: String? = nil)
    -> NodeReport
{
    NodeReport(
        node: node,
        addresses: replies.map { AddressReport(address: ip($0.0), reply: $0.1) },
        resolutionFailure: resolutionFailure)
}

/// A single-address node answering an INTEGER load.
func loaded(_ node: String, _ address: String, _ load: Int) -> NodeReport {
    report(node, [(address, .integer(load))])
}

/// Runs `Selection.decide` with a seeded generator.
func decide(
    alias: String = "www.example.org", _ parameters: AliasParameters, _ members: [NodeReport],
    seed: UInt64 = 1
) -> Decision {
    var random = SeededRandomNumberGenerator(seed: seed)
    return Selection.decide(alias: alias, parameters: parameters, members: members, using: &random)
}

/// A small random string over `alphabet`, for fuzzing.
func randomString<R: RandomNumberGenerator>(
    from alphabet: [Character], maxLength: Int, using random: inout R
) -> String {
    let length = Int.random(in: 0...maxLength, using: &random)
    return String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
}

extension AddressReply {
    /// An address that stayed silent through every attempt.
    static let silent = AddressReply.failure(.timeout(attempts: 2))
}
