extension PublicationResult.Action {
    /// The stable code of `lbd simulate --json`'s and `decisions.json`'s `action`: `unchanged`,
    /// `updated`, `would-update` or `failed`.
    var code: String {
        switch self {
        case .unchanged: "unchanged"
        case .updated: "updated"
        case .wouldUpdate: "would-update"
        case .failed: "failed"
        }
    }

    /// The action of `code`, `failure` when it is `failed`; nil for a code this lbd does not write.
    init?(code: String, failure: @autoclosure () -> PublishingFailure) {
        switch code {
        case "unchanged": self = .unchanged
        case "updated": self = .updated
        case "would-update": self = .wouldUpdate
        case "failed": self = .failed(failure())
        default: return nil
        }
    }
}
