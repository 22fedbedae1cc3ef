import LBCore

/// What one publisher did with the decision in one place: `DecisionJSON`'s `dns` entries.
struct DecisionPublicationRecord: Codable, Hashable, Sendable {
    var target: String
    var previous: [String]?
    var previousTTL: Int?
    var action: String
    var error: String?
    var errorCode: String?

    enum CodingKeys: String, CodingKey {
        case target, previous, action, error
        case previousTTL = "previous_ttl"
        case errorCode = "error_code"
    }

    init(_ result: PublicationResult) {
        target = result.target
        previous = result.previous?.map(\.description)
        previousTTL = result.previousTTL
        switch result.action {
        case .unchanged: action = "unchanged"
        case .updated: action = "updated"
        case .wouldUpdate: action = "would-update"
        case .failed(let failure):
            action = "failed"
            error = failure.message
            errorCode = failure.code.rawValue
        }
    }

    func result() throws(DecisionRecordError) -> PublicationResult {
        let decoded: PublicationResult.Action
        switch action {
        case "unchanged": decoded = .unchanged
        case "updated": decoded = .updated
        case "would-update": decoded = .wouldUpdate
        case "failed":
            decoded = .failed(
                PublishingFailure(
                    errorCode.flatMap(PublishingFailure.Code.init(rawValue:)) ?? .other, error ?? ""))
        default:
            throw DecisionRecordError("\(target.prefix(60)): action '\(action.prefix(40))' is unknown")
        }
        return PublicationResult(
            target: target,
            previous: try previous.map { texts throws(DecisionRecordError) in
                try DecisionRecord.addresses(texts)
            }, previousTTL: previousTTL, action: decoded)
    }
}
