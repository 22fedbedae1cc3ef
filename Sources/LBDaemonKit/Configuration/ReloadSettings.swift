/// How far a reload may change what this instance serves before it is refused
/// (`reload` in the native format).
///
/// Invariant: `maximumWithdrawnShare` is within 0...1.
public struct ReloadSettings: Hashable, Sendable {
    /// The default share: a reload may withdraw up to half of the served aliases at once.
    public static let defaultMaximumWithdrawnShare = 0.5

    /// The largest share (0 to 1) of the served aliases one reload may withdraw; a reload that
    /// would withdraw more is refused and the running configuration kept. 1 turns the guard off.
    public var maximumWithdrawnShare: Double

    public init(maximumWithdrawnShare: Double = ReloadSettings.defaultMaximumWithdrawnShare) {
        self.maximumWithdrawnShare = min(max(maximumWithdrawnShare, 0), 1)
    }
}
