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
        action = result.action.code
        if case .failed(let failure) = result.action {
            error = failure.message
            errorCode = failure.code.rawValue
        }
    }

    func result() throws(DecisionRecordError) -> PublicationResult {
        let failure = PublishingFailure(
            errorCode.flatMap(PublishingFailure.Code.init(rawValue:)) ?? .other, error ?? "")
        guard let decoded = PublicationResult.Action(code: action, failure: failure) else {
            throw DecisionRecordError("\(target.prefix(60)): action '\(action.prefix(40))' is unknown")
        }
        return PublicationResult(
            target: target,
            previous: try previous.map { texts throws(DecisionRecordError) in
                try DecisionRecord.addresses(texts)
            }, previousTTL: previousTTL, action: decoded)
    }
}
