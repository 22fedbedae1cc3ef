import Foundation

/// Notices when the configuration file changes: its size, modification time or inode (an editor
/// or a deployment tool that replaces the file by renaming changes the inode). Polling rather
/// than inotify, so that a file replaced, moved back or on a network filesystem is still seen.
public struct ConfigurationFileWatcher: Sendable {
    /// What identifies one version of the file.
    struct Stamp: Equatable {
        var size: Int64
        var modified: timespec
        var inode: UInt64

        static func == (lhs: Stamp, rhs: Stamp) -> Bool {
            lhs.size == rhs.size && lhs.inode == rhs.inode && lhs.modified.tv_sec == rhs.modified.tv_sec
                && lhs.modified.tv_nsec == rhs.modified.tv_nsec
        }
    }

    public let path: String
    public let interval: Duration

    public init(path: String, interval: Duration = .seconds(1)) {
        self.path = path
        self.interval = interval
    }

    /// The file's stamp now; nil while it is missing (a file being replaced), which is not a change.
    func stamp() -> Stamp? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Stamp(size: Int64(status.st_size), modified: status.st_mtim, inode: UInt64(status.st_ino))
    }

    /// Calls `changed` each time the file differs from the version last seen, until the task is
    /// cancelled.
    public func watch(_ changed: @Sendable () async -> Void) async {
        var last = stamp()
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard let current = stamp() else { continue }
            if current != last {
                last = current
                await changed()
            }
        }
    }
}
