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
    /// An array, not a set: there are a few dozen at most, and a `Set<pid_t>` makes the runtime
    /// search every protocol conformance of the executable when lbclient starts its first
    /// program, a cost every one-shot run would pay.
    private static let groups = Mutex<[pid_t]>([])

    static func add(_ pid: pid_t) {
        groups.withLock { if !$0.contains(pid) { $0.append(pid) } }
    }

    static func remove(_ pid: pid_t) {
        groups.withLock { groups in
            if let index = groups.firstIndex(of: pid) { groups.remove(at: index) }
        }
    }

    /// The groups not reaped yet.
    public static var current: Set<pid_t> { Set(groups.withLock { $0 }) }

    /// Sends SIGKILL to every group not reaped yet. For the moment before exiting: the children
    /// are not reaped here.
    public static func killAll() {
        for pid in groups.withLock({ $0 }) where pid > 0 {
            _ = kill(-pid, SIGKILL)
        }
    }
}
