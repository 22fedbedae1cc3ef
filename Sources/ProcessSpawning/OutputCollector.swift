#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drains a program's stdout and stderr pipes, keeping the first `limit` bytes of each.
struct OutputCollector {
    private var descriptors: [Int32]
    private let limit: Int
    private(set) var output: [UInt8] = []
    private(set) var error: [UInt8] = []

    init(standardOutput: Int32, standardError: Int32, limit: Int) {
        descriptors = [standardOutput, standardError]
        self.limit = limit
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
    }

    var isFinished: Bool { descriptors.allSatisfy { $0 < 0 } }

    mutating func poll(timeoutMilliseconds: Int32) {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ready = entries.withUnsafeMutableBufferPointer {
            #if canImport(Glibc)
                Glibc.poll($0.baseAddress, nfds_t($0.count), timeoutMilliseconds)
            #else
                Darwin.poll($0.baseAddress, nfds_t($0.count), timeoutMilliseconds)
            #endif
        }
        guard ready > 0 else { return }
        for index in entries.indices where entries[index].fd >= 0 && entries[index].revents != 0 {
            drain(index)
        }
    }

    private mutating func drain(_ index: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptors[index], $0.baseAddress, $0.count) }
            if count > 0 {
                let room = limit - (index == 0 ? output.count : error.count)
                if room > 0 {
                    let kept = buffer[0..<min(count, room)]
                    if index == 0 { output += kept } else { error += kept }
                }
                continue
            }
            if count == -1 && (errno == EAGAIN || errno == EINTR) { return }
            // End of file or a read error: this stream is done.
            closeDescriptor(index)
            return
        }
    }

    private mutating func closeDescriptor(_ index: Int) {
        #if canImport(Glibc)
            Glibc.close(descriptors[index])
        #else
            Darwin.close(descriptors[index])
        #endif
        descriptors[index] = -1
    }

    mutating func close() {
        for index in descriptors.indices where descriptors[index] >= 0 { closeDescriptor(index) }
    }
}
