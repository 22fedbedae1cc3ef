import Foundation
import Logging
import Synchronization
import Testing

@testable import LBClientKit

/// What wakes `--notify`'s background evaluation, and that stopping the watcher releases it.
@Suite("File change watcher", .serialized)
struct FileChangeWatcherTests {
    static let watched = [
        Int32(1): FileChangeWatcher.Directory(path: "/etc", names: ["nologin"]),
        Int32(2): FileChangeWatcher.Directory(path: "/usr/local/etc", prefixes: [""]),
    ]

    @Test func onlyWatchedEntriesWake() {
        #expect(FileChangeWatcher.wakes(for: [event(1, 0x100, "nologin")], watched: Self.watched))
        #expect(FileChangeWatcher.wakes(for: [event(2, 0x8, "lbclient.conf")], watched: Self.watched))
        #expect(!FileChangeWatcher.wakes(for: [event(1, 0x8, "resolv.conf")], watched: Self.watched))
        #expect(!FileChangeWatcher.wakes(for: [event(7, 0x100, "nologin")], watched: Self.watched))
        #expect(!FileChangeWatcher.wakes(for: [], watched: Self.watched))
    }

    /// A full kernel queue drops events, a `touch /etc/nologin` among them: the evaluation must
    /// run rather than wait for the interval.
    @Test func aQueueOverflowOrAnEndedWatchWakes() {
        #expect(
            FileChangeWatcher.wakes(for: [event(-1, InotifyEvent.queueOverflow, "")], watched: Self.watched))
        #expect(FileChangeWatcher.wakes(for: [event(1, InotifyEvent.ignored, "")], watched: Self.watched))
    }

    #if os(Linux)
        @Test func aWatchedEntryWakesAndStopClosesTheDescriptor() async throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("watcher-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let before = Self.inotifyDescriptors()
            let wakes = Mutex(0)
            let watcher = FileChangeWatcher(
                directories: [FileChangeWatcher.Directory(path: directory, names: ["nologin"])],
                logger: Logger(label: "test")
            ) { wakes.withLock { $0 += 1 } }
            #expect(Self.inotifyDescriptors() == before + 1)
            FileManager.default.createFile(atPath: directory + "/other", contents: nil)
            FileManager.default.createFile(atPath: directory + "/nologin", contents: nil)
            try await Self.wait { wakes.withLock { $0 } > 0 }
            #expect(wakes.withLock { $0 } >= 1)
            watcher.stop()
            try await Self.wait { Self.inotifyDescriptors() == before }
            #expect(Self.inotifyDescriptors() == before)
        }

        /// The process's open inotify descriptors.
        static func inotifyDescriptors() -> Int {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return names.filter {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))
                    == "anon_inode:inotify"
            }.count
        }

        /// Polls `condition` for at most five seconds.
        static func wait(for condition: () -> Bool) async throws {
            let end = ContinuousClock.now + .seconds(5)
            while !condition() && ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
        }
    #endif

    private func event(_ watch: Int32, _ mask: UInt32, _ name: String) -> InotifyEvent {
        InotifyEvent(watch: watch, mask: mask, name: name)
    }
}
