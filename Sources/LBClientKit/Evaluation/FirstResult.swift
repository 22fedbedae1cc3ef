import Synchronization

/// Resumes a continuation exactly once, with whichever result arrives first, even when the
/// first result arrives before the continuation exists (a task cancelled before it started).
///
/// No type with an `Error` requirement is stored (no `Result<Value, any Error>`, no
/// `CheckedContinuation<Value, any Error>`): the runtime builds this class's field types from
/// their mangled names, and checking such a requirement searches every protocol conformance of
/// the executable, a cost each one-shot run would pay (docs/performance.md).
final class FirstResult<Value: Sendable>: Sendable {
    private struct State {
        /// Resumes the continuation with a value, or with the error when there is one.
        var resume: (@Sendable (Value?, (any Error)?) -> Void)?
        var earlyValue: Value?
        var earlyError: (any Error)?
        var delivered = false
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        install { value, error in
            if let error {
                continuation.resume(throwing: error)
            } else if let value {
                continuation.resume(returning: value)
            }
        }
    }

    /// An unchecked continuation is safe here: this class resumes it exactly once. A checked one
    /// costs the runtime a conformance search for its type at every one-shot run.
    func install(_ continuation: UnsafeContinuation<Value, any Error>) {
        install { value, error in
            if let error {
                continuation.resume(throwing: error)
            } else if let value {
                continuation.resume(returning: value)
            }
        }
    }

    private func install(_ resume: @escaping @Sendable (Value?, (any Error)?) -> Void) {
        let early = state.withLock { state -> (Value?, (any Error)?)? in
            if state.delivered { return (state.earlyValue, state.earlyError) }
            state.resume = resume
            return nil
        }
        if let early { resume(early.0, early.1) }
    }

    /// Delivers `value`; true when this call delivered the result, false when another came first.
    @discardableResult
    func deliver(returning value: Value) -> Bool { deliver(value, nil) }

    /// Delivers `error`; true when this call delivered the result, false when another came first.
    @discardableResult
    func deliver(throwing error: any Error) -> Bool { deliver(nil, error) }

    private func deliver(_ value: Value?, _ error: (any Error)?) -> Bool {
        let resume = state.withLock { state -> (@Sendable (Value?, (any Error)?) -> Void)?? in
            guard !state.delivered else { return .none }
            state.delivered = true
            guard let resume = state.resume else {
                state.earlyValue = value
                state.earlyError = error
                return .some(nil)
            }
            state.resume = nil
            return .some(resume)
        }
        guard let resume else { return false }
        resume?(value, error)
        return true
    }
}
