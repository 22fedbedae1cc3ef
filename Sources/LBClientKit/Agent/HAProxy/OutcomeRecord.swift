import Synchronization

/// The per-alias outcomes of the latest evaluation, kept beside the ``AnswerCache`` so that the
/// HAProxy agent can name the failed check that the SNMP answer reduces to a number.
///
/// The cache stays the one source of truth for values: the record only adds reasons, and a
/// reason is used only when the record's value for that alias agrees with the cached answer.
public final class OutcomeRecord: Sendable {
    /// What the latest evaluation found.
    public enum Latest: Hashable, Sendable {
        /// No evaluation has finished yet.
        case none
        /// No configuration could be found; the message says where lbclient looked.
        case noConfiguration(String)
        /// The outcomes, in answer order.
        case outcomes([AliasOutcome])
    }

    private let state = Mutex<Latest>(.none)

    public init() {}

    public var latest: Latest { state.withLock { $0 } }

    public func record(_ latest: Latest) { state.withLock { $0 = latest } }
}

extension ClientEvaluator {
    /// The answer, as ``answerIfAny()`` gives it, after keeping each alias's outcome in `record`.
    public func answer(recordingInto record: OutcomeRecord) async -> PassAnswer? {
        do {
            let report = try await evaluate()
            record.record(.outcomes(report.outcomes))
            return report.answer
        } catch {
            logger.error("\(error.message)")
            record.record(.noConfiguration(error.message))
            return nil
        }
    }
}
