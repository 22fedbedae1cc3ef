/// What became of one reload, for the reload counter and the served aliases' metrics.
public enum ReloadOutcome: Sendable {
    /// The configuration was accepted and is now in force.
    case applied(Configuration)
    /// The file did not load, or `ReloadGuard` refused it: the running configuration stays.
    case failed
}
