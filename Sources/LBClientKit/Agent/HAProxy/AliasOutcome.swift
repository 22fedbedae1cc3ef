/// One alias's value in an evaluation, with the failed check behind a negative value.
public struct AliasOutcome: Hashable, Sendable {
    public var alias: String
    /// The load (`> 0`), or a negative failure code.
    public var value: Int
    /// For a negative value, what failed in the operator's words: the check's keyword and why
    /// (`nologin: /etc/nologin exists`); nil otherwise.
    public var failure: String?

    public init(alias: String, value: Int, failure: String? = nil) {
        self.alias = alias
        self.value = value
        self.failure = failure
    }
}

extension FileReport {
    /// Why this file's value is a failure, naming the check: the keyword of the deciding line
    /// and its outcome, or the configuration problem when the file could not be used. Nil when
    /// the value is a load.
    public var failureDescription: String? {
        guard value < 0 else { return nil }
        if let line = lines.first(where: { $0.outcome.isFailure }) {
            let outcome: String
            switch line.outcome {
            case .finished(let result): outcome = result.detail
            default: outcome = line.outcome.summary
            }
            return "\(line.line.keyword.rawValue): \(outcome)"
        }
        if lines.isEmpty { return "configuration: \(reason)" }
        return "load \(value) is negative"
    }
}

extension ClientReport {
    /// Each alias with its value and failure, in answer order.
    public var outcomes: [AliasOutcome] {
        files.flatMap { file in
            file.mapping.aliases.map {
                AliasOutcome(alias: $0, value: file.value, failure: file.failureDescription)
            }
        }
    }
}
