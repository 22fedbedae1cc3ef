import Synchronization

/// A shared counter that hands out 0, 1, 2... to rotate address records between answers, so
/// clients that take the first address spread over all of them. Safe from any thread.
public final class RoundRobinCounter: Sendable {
    private let value: Mutex<UInt64>

    public init(start: UInt64 = 0) {
        value = Mutex(start)
    }

    /// The next value; wraps around after 2^64 values.
    public func next() -> Int {
        value.withLock { value in
            defer { value &+= 1 }
            // Keep it non-negative for the modulo that uses it.
            return Int(truncatingIfNeeded: value & UInt64(Int.max))
        }
    }
}
