#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where TSIG signing and verification read the time, in seconds since the Unix epoch; tests
/// inject a fixed clock to check the fudge window.
public struct TSIGClock: Sendable {
    public let now: @Sendable () -> UInt64

    public init(now: @escaping @Sendable () -> UInt64) {
        self.now = now
    }

    /// The system's wall clock.
    public static let system = TSIGClock { UInt64(max(0, time(nil))) }

    /// A clock stopped at `seconds`.
    public static func fixed(_ seconds: UInt64) -> TSIGClock {
        TSIGClock { seconds }
    }
}
