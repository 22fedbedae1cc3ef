/// The load a node reports for an alias: lower is better.
///
/// Only loads in `usableRange` (1...99_999) put a node behind an alias; zero, negative codes
/// (a failed lbclient check) and anything above 99 999 keep it out, as in golbd.
public enum Load {
    /// The loads that make a node usable.
    public static let usableRange: ClosedRange<Int> = 1...99_999

    /// Whether a node reporting `load` may be published.
    public static func isUsable(_ load: Int) -> Bool {
        usableRange.contains(load)
    }
}
