#if canImport(Glibc)
    import Glibc
    import SystemCallShims

    /// Keeps a spawned program from inheriting our open descriptors.
    ///
    /// Swift-NIO and others create sockets without close-on-exec, and posix_spawn passes every
    /// such descriptor to the child: a daemon started while a server runs would hold its
    /// listening socket and port after the server closed it.
    public enum InheritedDescriptors {
        /// Adds to `actions` the closing of every descriptor from 3 up, after the actions already
        /// there (which may have set up 0, 1 and 2), with glibc 2.34's
        /// posix_spawn_file_actions_addclosefrom_np. With an older C library, marks every open
        /// descriptor above 2 close-on-exec instead, which is harmless for this process.
        public static func closeAll(
            above standardError: Int32 = 2, in actions: inout posix_spawn_file_actions_t
        ) {
            if lb_spawn_file_actions_add_close_from(&actions, standardError + 1) == 0 { return }
            guard let directory = opendir("/proc/self/fd") else { return }
            defer { closedir(directory) }
            let own = dirfd(directory)
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard let descriptor = Int32(name), descriptor > standardError, descriptor != own else {
                    continue
                }
                _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
            }
        }
    }
#endif
