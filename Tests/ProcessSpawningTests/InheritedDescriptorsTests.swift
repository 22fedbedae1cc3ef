import ProcessSpawning
import Testing

#if canImport(Glibc)
    import Glibc

    /// The closing of inherited descriptors: with glibc 2.34 or later by the spawn's own
    /// close-from action (called by name through the C shim, so it works in a static executable
    /// too), which leaves this process's descriptors as they were.
    @Suite struct InheritedDescriptorsTests {
        @Test func closeFromActionClosesADescriptorInTheChildOnly() throws {
            // Without close-on-exec, as Swift-NIO's sockets are.
            let leaky = socket(AF_INET, CInt(SOCK_DGRAM.rawValue), 0)
            try #require(leaky > 2)
            defer { close(leaky) }
            var output: [CInt] = [-1, -1]
            try #require(pipe(&output) == 0)
            // Only the child's standard output, by the dup2 action, not the pipe itself.
            for end in output { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            defer { close(output[0]) }

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
            InheritedDescriptors.closeAll(in: &actions)
            let flags = fcntl(leaky, F_GETFD)
            if Self.glibcAtLeast(2, 34) {
                // The action did the work: no fallback marking our descriptors close-on-exec.
                #expect(flags & FD_CLOEXEC == 0, "closeAll fell back to marking descriptors")
            }

            var child = pid_t()
            let arguments = ["/bin/sh", "-c", "ls /proc/$$/fd"]
            var argv = arguments.map { strdup($0) } + [nil]
            defer { for argument in argv { free(argument) } }
            let spawned = posix_spawn(&child, "/bin/sh", &actions, nil, &argv, environ)
            close(output[1])
            try #require(spawned == 0)
            var listing: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(output[0], &buffer, buffer.count)
                if count <= 0 { break }
                listing += buffer[0..<count]
            }
            var status: CInt = 0
            _ = waitpid(child, &status, 0)
            #expect(status == 0)
            let open = String(decoding: listing, as: UTF8.self).split(separator: "\n").compactMap { CInt($0) }
            #expect(open.contains(1))
            #expect(!open.contains(leaky), "the child holds \(open)")
            #expect(fcntl(leaky, F_GETFD) >= 0, "our own descriptor was closed")
        }

        /// Whether the running glibc is at least `major.minor`.
        private static func glibcAtLeast(_ major: Int, _ minor: Int) -> Bool {
            var text = [CChar](repeating: 0, count: 64)
            guard confstr(CInt(_CS_GNU_LIBC_VERSION), &text, text.count) > 0 else { return false }
            let version = String(cString: text).split(separator: " ").last ?? ""
            let parts = version.split(separator: ".").compactMap { Int($0) }
            guard parts.count >= 2 else { return false }
            return (parts[0], parts[1]) >= (major, minor)
        }
    }
#endif
