import Logging
import OSThreads

#if canImport(Glibc)
    import Glibc
#endif

/// Wakes the background evaluation the moment a file a check reads appears, disappears or is
/// rewritten (`touch /etc/nologin`), so a drained node is told within milliseconds rather than
/// at the next interval. Linux inotify on the files' directories; elsewhere, or when a directory
/// cannot be watched, the periodic evaluation is the only trigger.
///
/// One descriptor and one thread, whatever the number of directories; the thread closes the
/// descriptor within ``pollSlice`` of `stop()`.
public final class FileChangeWatcher: Sendable {
    /// A directory and which of its entries matter.
    public struct Directory: Hashable, Sendable {
        public var path: String
        /// Entries named exactly so.
        public var names: Set<String>
        /// Entries whose name starts so; `[""]` for every entry.
        public var prefixes: [String]

        public init(path: String, names: Set<String> = [], prefixes: [String] = []) {
            self.path = path
            self.names = names
            self.prefixes = prefixes
        }

        public func matches(_ name: String) -> Bool {
            names.contains(name) || prefixes.contains { name.hasPrefix($0) }
        }
    }

    /// How long the thread waits in poll(2) before looking whether it was stopped.
    static let pollSlice: Int32 = 100

    private let stopped = CancellationFlag()

    /// Starts watching; `onChange` is called on the watcher's thread for every batch of events
    /// that touches a matching entry. Directories that cannot be watched are logged and skipped.
    public init(directories: [Directory], logger: Logger, onChange: @escaping @Sendable () -> Void) {
        #if canImport(Glibc)
            let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard descriptor >= 0 else {
                logger.warning(
                    "cannot watch files for changes (inotify: \(systemErrorDescription(errno))); evaluating at the interval only"
                )
                return
            }
            let mask = UInt32(
                IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB)
            var watched: [Int32: Directory] = [:]
            for directory in directories {
                let watch = inotify_add_watch(descriptor, directory.path, mask)
                if watch >= 0 {
                    // Two paths to one directory share a watch: keep what either wants.
                    let earlier = watched[watch]
                    watched[watch] = Directory(
                        path: directory.path, names: directory.names.union(earlier?.names ?? []),
                        prefixes: directory.prefixes + (earlier?.prefixes ?? []))
                } else {
                    logger.info(
                        "not watching \(directory.path) for changes: \(systemErrorDescription(errno)); evaluating at the interval"
                    )
                }
            }
            guard !watched.isEmpty else {
                close(descriptor)
                return
            }
            let table = watched
            BlockingThread.start { [stopped] in
                Self.run(descriptor: descriptor, watched: table, stopped: stopped, onChange: onChange)
            }
        #endif
    }

    /// Stops watching; the descriptor is closed within ``pollSlice`` milliseconds.
    public func stop() {
        stopped.cancel()
    }

    deinit { stop() }

    /// Whether `events` may hide a change to a watched entry: one names such an entry, the queue
    /// overflowed (events were lost), or a watch ended (its directory was removed or unmounted,
    /// and only the interval sees it from now on).
    static func wakes(for events: [InotifyEvent], watched: [Int32: Directory]) -> Bool {
        events.contains { event in
            event.mask & (InotifyEvent.queueOverflow | InotifyEvent.ignored) != 0
                || watched[event.watch]?.matches(event.name) == true
        }
    }

    #if canImport(Glibc)
        private static func run(
            descriptor: Int32, watched: [Int32: Directory], stopped: CancellationFlag,
            onChange: @Sendable () -> Void
        ) {
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while !stopped.isCancelled {
                var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&request, 1, pollSlice)
                if ready < 0 && errno != EINTR { return }
                guard ready > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EAGAIN || errno == EINTR { continue }
                    return
                }
                if wakes(for: InotifyEvent.parse(buffer[0..<count]), watched: watched) { onChange() }
            }
        }
    #endif
}

/// One event read from an inotify descriptor: which watch, and the entry's name.
struct InotifyEvent: Hashable, Sendable {
    var watch: Int32
    var mask: UInt32
    var name: String

    /// `IN_Q_OVERFLOW`: the kernel's queue was full and events were dropped (watch -1).
    static let queueOverflow: UInt32 = 0x4000
    /// `IN_IGNORED`: the watch was removed, as when its directory is deleted or unmounted.
    static let ignored: UInt32 = 0x8000

    /// The events in `bytes` (`struct inotify_event` records, each a 16-byte header and a
    /// NUL-padded name); a record cut short ends the list.
    static func parse(_ bytes: ArraySlice<UInt8>) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 16 {
            // The kernel writes the header in the host's byte order.
            func word(_ at: Int) -> UInt32 {
                bytes.withUnsafeBytes {
                    $0.loadUnaligned(fromByteOffset: offset - bytes.startIndex + at, as: UInt32.self)
                }
            }
            let watch = Int32(bitPattern: word(0))
            let mask = word(4)
            let length = Int(word(12))
            let nameStart = offset + 16
            guard length <= bytes.endIndex - nameStart else { break }
            let name = bytes[nameStart..<(nameStart + length)].prefix { $0 != 0 }
            events.append(InotifyEvent(watch: watch, mask: mask, name: String(decoding: name, as: UTF8.self)))
            offset = nameStart + length
        }
        return events
    }
}
