import SystemCallShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The spawn file action that changes the child's working directory:
/// posix_spawn_file_actions_addchdir_np (glibc 2.29, macOS 10.15), which Swift does not import on
/// Linux (it needs _GNU_SOURCE), hence the shim.
enum WorkingDirectory {
    #if canImport(Glibc)
        typealias Actions = posix_spawn_file_actions_t
    #else
        typealias Actions = posix_spawn_file_actions_t?
    #endif

    /// Adds the change to `directory`; false when the C library cannot.
    static func add(_ directory: String, to actions: inout Actions) -> Bool {
        lb_spawn_file_actions_add_chdir(&actions, directory) == 0
    }
}
