/// How long one poll(2) may sleep before `deadline`: at most 50 ms, so a waiting loop notices
/// exit, cancellation and the deadline promptly, and at least 1 ms, so it never spins.
func pollSliceMilliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
    let slice = min(ContinuousClock.now.duration(to: deadline), .milliseconds(50))
    let (seconds, attoseconds) = slice.components
    return Int32(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
}
