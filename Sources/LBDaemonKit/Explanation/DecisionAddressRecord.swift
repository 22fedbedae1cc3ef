import LBCore

/// One address of a member and what it answered: a load, an answer not listing the alias, or a
/// failure.
struct DecisionAddressRecord: Codable, Hashable, Sendable {
    var address: String
    /// What the address said, in `DecisionJSON`'s words.
    var outcome: String
    var load: Int?
    var notListed: Bool?
    var failure: DecisionFailureRecord?

    enum CodingKeys: String, CodingKey {
        case address, outcome, load, failure
        case notListed = "not_listed"
    }

    init(_ evaluation: MemberEvaluation.AddressEvaluation) {
        address = evaluation.address.description
        outcome = DecisionExplanation.outcomeDetail(evaluation.outcome)
        switch evaluation.outcome {
        case .load(let load): self.load = load
        case .notListed: notListed = true
        case .failure(let failure): self.failure = DecisionFailureRecord(failure)
        }
    }

    func report(node: String) throws(DecisionRecordError) -> AddressReport {
        guard let parsed = NodeAddress(address) else {
            throw DecisionRecordError("member \(node.prefix(60)): '\(address.prefix(60))' is not an address")
        }
        let reply: AddressReply
        if let load {
            reply = .integer(load)
        } else if let failure {
            guard let decoded = failure.failure else {
                throw DecisionRecordError(
                    "member \(node.prefix(60)): failure '\(failure.code.prefix(40))' is not one this lbd knows"
                )
            }
            reply = .failure(decoded)
        } else if notListed == true {
            // An answer listing no alias at all reads back as "not listed".
            reply = .text("")
        } else {
            throw DecisionRecordError(
                "member \(node.prefix(60)): address \(address.prefix(60)) has no load, failure or not_listed")
        }
        return AddressReport(address: parsed, reply: reply)
    }
}
