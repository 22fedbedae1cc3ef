/// What a page got from the history: its answer, or why there is none. Pages show each case
/// differently, so that "nothing happened" is never confused with "nothing is recorded".
enum DashboardHistory<Value: Sendable>: Sendable {
    /// The history is off (no store configured).
    case off
    /// The store failed to answer; the text says why.
    case unavailable(String)
    case loaded(Value)
}
