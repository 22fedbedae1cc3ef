#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The spawn file action that changes the child's working directory.
enum WorkingDirectory {
    #if canImport(Glibc)
        typealias Actions = posix_spawn_file_actions_t
    #else
        typealias Actions = posix_spawn_file_actions_t?
    #endif
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<Actions>, UnsafePointer<CChar>) -> Int32

    /// posix_spawn_file_actions_addchdir_np (glibc 2.29, macOS 10.15), which Swift does not import
    /// on Linux (it needs _GNU_SOURCE); nil when the C library lacks it.
    private static let addChdir: AddChdir? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
        #else
            guard
                let symbol = dlsym(
                    UnsafeMutableRawPointer(bitPattern: -2), "posix_spawn_file_actions_addchdir_np")
            else { return nil }
        #endif
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    /// Adds the change to `directory`; false when the C library cannot.
    static func add(_ directory: String, to actions: inout Actions) -> Bool {
        guard let addChdir else { return false }
        return addChdir(&actions, directory) == 0
    }
}
