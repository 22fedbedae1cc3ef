import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process groups of the children spawned by this process that have not been reaped.
///
/// Every child leads its own group, so that a deadline kills its grandchildren too; the other
/// side of that is that a child outlives us when we exit first. A daemon that must stop at once
/// (lbclient's agent on SIGTERM, with a check still running) kills them with ``killAll()``.
public enum LiveProcessGroups {
    private static let groups = Mutex<Set<pid_t>>([])

    static func add(_ pid: pid_t) { _ = groups.withLock { $0.insert(pid) } }

    static func remove(_ pid: pid_t) { _ = groups.withLock { $0.remove(pid) } }

    /// The groups not reaped yet.
    public static var current: Set<pid_t> { groups.withLock { $0 } }

    /// Sends SIGKILL to every group not reaped yet. For the moment before exiting: the children
    /// are not reaped here.
    public static func killAll() {
        for pid in current where pid > 0 {
            _ = kill(-pid, SIGKILL)
        }
    }
}
