import Synchronization

/// A shared counter that hands out 0, 1, 2... to rotate address records between answers, so
/// clients that take the first address spread over all of them. Safe from any thread.
public final class RoundRobinCounter: Sendable {
    // Atomic rather than a lock: the UDP threads take a value for most answers.
    private let value: Atomic<UInt64>

    public init(start: UInt64 = 0) {
        value = Atomic(start)
    }

    /// The next value; wraps around after 2^64 values.
    public func next() -> Int {
        let value = value.wrappingAdd(1, ordering: .relaxed).oldValue
        // Keep it non-negative for the modulo that uses it.
        return Int(truncatingIfNeeded: value & UInt64(Int.max))
    }
}
