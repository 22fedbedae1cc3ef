import LBCore

/// A `PollFailure` as `decisions.json` keeps it: its stable `code` and the values the case
/// carries, so that it reads back as the same failure (and so the same words).
struct DecisionFailureRecord: Codable, Hashable, Sendable {
    var code: String
    /// The text the case carries (a detail, an OID, a type, an agent's error status...).
    var text: String?
    var attempts: Int?
    var index: Int?

    init(code: String, text: String? = nil, attempts: Int? = nil, index: Int? = nil) {
        self.code = code
        self.text = text
        self.attempts = attempts
        self.index = index
    }

    init(_ failure: PollFailure) {
        code = failure.code
        switch failure {
        case .timeout(let attempts): self.attempts = attempts
        case .malformed(let text), .wrongOID(let text), .wrongType(let text), .sendFailed(let text),
            .malformedLoad(let text), .reported(let text):
            self.text = text
        case .unexpectedReport(let oid): text = oid
        case .agentError(let status, let index):
            text = status
            self.index = index
        case .tooManyVarbinds(let count): index = count
        case .noSuchObject, .noSuchInstance, .endOfMibView, .emptyVarbindList, .security, .engineMismatch,
            .cancelled:
            break
        }
    }

    /// The failure; nil when the code is not one this lbd knows.
    var failure: PollFailure? {
        switch code {
        case "timeout": return .timeout(attempts: attempts ?? 0)
        case "malformed": return .malformed(text ?? "")
        case "wrong_oid": return .wrongOID(text ?? "")
        case "wrong_type": return .wrongType(text ?? "")
        case "no_such_object": return .noSuchObject
        case "no_such_instance": return .noSuchInstance
        case "end_of_mib_view": return .endOfMibView
        case "empty_varbind_list": return .emptyVarbindList
        case "too_many_varbinds": return .tooManyVarbinds(index ?? 0)
        case "agent_error": return .agentError(status: text ?? "", index: index ?? 0)
        case "unexpected_report": return .unexpectedReport(text)
        case "engine_mismatch": return .engineMismatch
        case "send_failed": return .sendFailed(text ?? "")
        case "cancelled": return .cancelled
        case "malformed_load": return .malformedLoad(text ?? "")
        case "reported": return .reported(text ?? "")
        default: return PollFailure.Security(rawValue: code).map { .security($0) }
        }
    }
}
