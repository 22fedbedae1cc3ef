import Foundation

/// An alias's latest decision as `lbd explain` shows it: the evaluation, the instance that made
/// it, and where it was read.
public struct AliasExplanation: Sendable {
    /// Where the decision was read.
    public enum Source: Hashable, Sendable {
        /// A running lbd answered at this base URL.
        case running(url: String)
        /// The state directory's decisions file, written at that time.
        case stateFile(path: String, writtenAt: Date)
    }

    public var evaluation: AliasEvaluation
    /// The instance that decided; nil when the running lbd did not say.
    public var instance: String?
    public var source: Source
    /// The decision as the running lbd answered it (`GET /api/v1/aliases/{alias}`), for `--json`;
    /// nil when read from the state directory.
    public var answer: [UInt8]?

    public init(evaluation: AliasEvaluation, instance: String?, source: Source, answer: [UInt8]? = nil) {
        self.evaluation = evaluation
        self.instance = instance
        self.source = source
        self.answer = answer
    }
}
