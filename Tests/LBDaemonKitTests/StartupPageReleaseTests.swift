import Foundation
import Testing

@testable import LBDaemonKit

/// The smaps parser and the choice of mappings whose pages lbd may drop after start: only the
/// executable's private read-only mappings without a page of their own, never one whose text
/// is damaged or incomplete.
@Suite struct StartupPageReleaseTests {
    private static let executable = "/usr/local/bin/lbd"

    /// A PIE image as gold lays it out (headers and code, read-only after relocation, data),
    /// the heap, a library and a thread stack.
    private static let sample = """
        55d4c0000000-55d4c35dd000 r-xp 00000000 fe:01 1234567                    /usr/local/bin/lbd
        Size:              55156 kB
        KernelPageSize:        4 kB
        Rss:               31020 kB
        Pss:               31020 kB
        Shared_Clean:          0 kB
        Private_Clean:     31020 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        THPeligible:           0
        VmFlags: rd ex mr mw me sd
        55d4c35de000-55d4c3747000 r--p 035dd000 fe:01 1234567                    /usr/local/bin/lbd
        Rss:                1444 kB
        Anonymous:          1444 kB
        VmFlags: rd mr mw me ac sd
        55d4c3747000-55d4c5d24000 rw-p 03746000 fe:01 1234567                    /usr/local/bin/lbd
        Rss:                4100 kB
        Anonymous:             0 kB
        VmFlags: rd wr mr mw me ac sd
        55d4c5d24000-55d4c5eaa000 rw-p 00000000 00:00 0
        Rss:                 560 kB
        Anonymous:           560 kB
        55d4c7a1a000-55d4c7cc6000 rw-p 00000000 00:00 0                          [heap]
        Rss:                2800 kB
        Anonymous:          2800 kB
        7f11a1c1e000-7f11a1c44000 r--p 00000000 fe:01 42                         /usr/lib/x86_64-linux-gnu/libc.so.6
        Rss:                 152 kB
        Anonymous:             0 kB
        7f11a1e00000-7f11a1e5c000 r--p 00000000 fe:01 7654321                    /opt/my lbd/lbd (deleted)
        Rss:                 100 kB
        Anonymous:             0 kB
        7ffc1a6e1000-7ffc1a702000 rw-p 00000000 00:00 0                          [stack]
        Rss:                  24 kB
        Anonymous:            24 kB

        """

    @Test func parsesHeadersSizesAndPathsWithBlanks() {
        let regions = MemoryMapRegion.parse(smaps: Self.sample[...])
        #expect(regions.count == 8)
        #expect(
            regions[0]
                == MemoryMapRegion(
                    start: 0x55d4_c000_0000, end: 0x55d4_c35d_d000, permissions: "r-xp", offset: 0,
                    path: Self.executable, residentKiB: 31020, anonymousKiB: 0))
        #expect(regions[1].offset == 0x35d_d000 && regions[1].anonymousKiB == 1444)
        #expect(regions[3].path == nil && regions[3].anonymousKiB == 560)
        #expect(regions[4].path == "[heap]")
        #expect(regions[6].path == "/opt/my lbd/lbd (deleted)")
        #expect(regions.map(\.isPrivateReadOnly) == [true, true, false, false, false, true, true, false])
    }

    @Test func onlyTheExecutablesReadOnlyMappingsWithoutAnonymousPagesAreChosen() {
        let regions = MemoryMapRegion.parse(smaps: Self.sample[...])
        let chosen = StartupPageRelease.candidates(in: regions, executable: Self.executable, libraries: false)
        // Not the relocated read-only data (anonymous pages), not the writable data, not libc.
        #expect(chosen.map(\.start) == [0x55d4_c000_0000])
        #expect(
            StartupPageRelease.candidates(
                in: regions, executable: "/opt/my lbd/lbd (deleted)", libraries: false
            ).map(\.start) == [0x7f11_a1e0_0000])
        #expect(
            StartupPageRelease.candidates(in: regions, executable: "/usr/bin/other", libraries: false).isEmpty
        )
        // With the libraries: every file's read-only mapping without a page of its own, never
        // the heap, the stack or anonymous memory.
        #expect(
            StartupPageRelease.candidates(in: regions, executable: Self.executable).map(\.start)
                == [0x55d4_c000_0000, 0x7f11_a1c1_e000, 0x7f11_a1e0_0000])
    }

    @Test func aSharedOrWritableOrUnknownMappingIsNeverChosen() {
        let text = """
            1000-2000 r--s 00000000 fe:01 9 /lbd
            Anonymous:             0 kB
            2000-3000 rw-p 00000000 fe:01 9 /lbd
            Anonymous:             0 kB
            3000-4000 r-xp 00000000 fe:01 9 /lbd
            Rss:                   4 kB
            4000-5000 r-xp 00001000 fe:01 9 /lbd
            Anonymous:          4 MB
            5000-6000 r-xp 00002000 fe:01 9 /lbd
            Anonymous:             0 kB
            """
        let regions = MemoryMapRegion.parse(smaps: text[...])
        #expect(regions.count == 5)
        // No Anonymous line, or one in an unknown unit: unknown, so not chosen.
        #expect(regions[2].anonymousKiB == nil && regions[3].anonymousKiB == nil)
        #expect(StartupPageRelease.candidates(in: regions, executable: "/lbd").map(\.start) == [0x5000])
    }

    @Test func damagedTextIsSkippedNotActedOn() {
        let text = """
            zzzz-2000 r-xp 00000000 fe:01 9 /lbd
            Anonymous:             0 kB
            3000-2000 r-xp 00000000 fe:01 9 /lbd
            Anonymous:             0 kB
            4000-5000 r-xq 00000000 fe:01 9 /lbd
            Anonymous:             0 kB
            5000-6000 r-xp 0000000g fe:01 9 /lbd
            Anonymous:             0 kB
            6000-7000 r-xp 00000000 fe:01 9 /lbd
            Anonymous:             0 kB
            garbage in the middle of a region
            Anonymous:             0 kB
            8000-9000 r-xp 00000000
            Anonymous:             0 kB
            9000-a000 r-xp 00000000 fe:01 9 /lbd
            Anonymous:            -4 kB
            7000-8000 r-xp 00000000 fe:01 9 /lbd
            Anonymous:             0
            a000-b000 r-xp 00000000 fe:01 9 /lbd
            Anonymous:             0 kB
            """
        let regions = MemoryMapRegion.parse(smaps: text[...])
        // Bad range, reversed range, bad permissions, bad offset, too few fields: no region.
        // A damaged line drops its region; a size negative or without unit stays unknown.
        #expect(regions.map(\.start) == [0x9000, 0x7000, 0xa000])
        #expect(regions.map(\.anonymousKiB) == [nil, nil, 0])
        #expect(StartupPageRelease.candidates(in: regions, executable: "/lbd").map(\.start) == [0xa000])
    }

    @Test func emptyAndTruncatedTextGiveNothingToRelease() {
        #expect(MemoryMapRegion.parse(smaps: ""[...]).isEmpty)
        #expect(MemoryMapRegion.parse(smaps: "\n\n"[...]).isEmpty)
        let truncated = MemoryMapRegion.parse(smaps: "1000-2000 r-xp 00000000 fe:01 9 /lbd\nAnonym"[...])
        #expect(StartupPageRelease.candidates(in: truncated, executable: "/lbd").isEmpty)
    }

    #if os(Linux)
        /// On this test process: only private read-only mappings of files without a page of
        /// their own are released, their RSS drops, and the process goes on running the code it
        /// dropped with its written data intact.
        @Test func releasingOnItselfDropsOnlyFilePagesAndKeepsTheProcessWorking() throws {
            let written = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
            defer { written.deallocate() }
            written.pointee = 0x1bd_5eed
            // Without steering later faults: evicting this (large, debug) test binary from the page
            // cache and reading it a page at a time would slow every other test of the process.
            let outcome = try StartupPageRelease.run(steeringLaterFaults: false)
            #expect(!outcome.regions.isEmpty)
            for region in outcome.regions {
                #expect(region.isPrivateReadOnly && region.anonymousKiB == 0)
                #expect(region.path?.hasPrefix("/") == true)
            }
            // Runs the parser (code that was just dropped) on the process's own map.
            let after = MemoryMapRegion.parse(smaps: Self.ownSmaps()[...])
            let released = Set(outcome.regions.map(\.start))
            let residentAfter = after.filter { released.contains($0.start) }.reduce(0) {
                $0 + ($1.residentKiB ?? 0)
            }
            #expect(residentAfter < outcome.residentKiB)
            #expect(written.pointee == 0x1bd_5eed)
            #expect(!outcome.evictedFromPageCache)
        }

        /// The hint lbd gives its executable's mappings: a mapping of a file marked so reads no
        /// more around a fault (VmFlags `rr`), and its content is unchanged.
        @Test func aMappingAdvisedRandomReadsReadsNoMoreAroundAFault() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "startup-page-random-\(getpid())"
            ).path
            defer { unlink(path) }
            let bytes = [UInt8](repeating: 0x5a, count: 1 << 16)
            try #require(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            try #require(descriptor >= 0)
            defer { close(descriptor) }
            let mapped = try #require(mmap(nil, bytes.count, PROT_READ, MAP_PRIVATE, descriptor, 0))
            try #require(mapped != MAP_FAILED)
            defer { munmap(mapped, bytes.count) }
            let start = UInt(bitPattern: mapped)
            let region = try #require(
                MemoryMapRegion.parse(smaps: Self.ownSmaps()[...]).first { $0.start == start })
            StartupPageRelease.adviseRandomReads([region], pageSize: UInt(sysconf(Int32(_SC_PAGESIZE))))
            let flags = Self.ownSmaps().split(separator: "\n").drop {
                !$0.hasPrefix(String(start, radix: 16) + "-")
            }.first { $0.hasPrefix("VmFlags:") }
            #expect(flags?.split(separator: " ").contains("rr") == true)
            #expect(mapped.load(fromByteOffset: 4096, as: UInt8.self) == 0x5a)
        }

        /// A file lbd only reads: its pages leave the page cache, and reading it again gives the
        /// same bytes (from the disk). A file that cannot be opened is reported, not an error.
        @Test func evictingAFileDropsItsCachedPagesAndKeepsItsContent() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "startup-page-release-\(getpid())"
            ).path
            defer { unlink(path) }
            let bytes = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
            let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            try #require(descriptor >= 0)
            defer { close(descriptor) }
            try #require(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count)
            // Written back first: the kernel never drops a dirty page.
            try #require(fsync(descriptor) == 0)
            // tmpfs keeps a file's pages in memory whatever it is told: nothing to measure there.
            guard !Self.isOnTmpfs(path) else { return }
            try #require(try Self.cachedPages(descriptor, length: bytes.count) > 0)
            #expect(StartupPageRelease.evictFromPageCache(path))
            #expect(try Self.cachedPages(descriptor, length: bytes.count) == 0)
            #expect(FileManager.default.contents(atPath: path) == Data(bytes))
            #expect(!StartupPageRelease.evictFromPageCache(path + ".missing"))
        }

        /// Whether the longest mount point above `path` in /proc/self/mounts is a tmpfs.
        private static func isOnTmpfs(_ path: String) -> Bool {
            let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
            var best: (point: Substring, type: Substring)?
            for line in mounts.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count > 2 else { continue }
                let point = fields[1]
                let prefix = point == "/" ? "/" : String(point) + "/"
                if (path + "/").hasPrefix(prefix), point.count >= (best?.point.count ?? 0) {
                    best = (point, fields[2])
                }
            }
            return best?.type == "tmpfs"
        }

        /// How many of the file's first `length` bytes' pages are in the page cache (mincore on
        /// a mapping that maps no page itself).
        private static func cachedPages(_ descriptor: Int32, length: Int) throws -> Int {
            let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
            let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0)
            try #require(mapping != MAP_FAILED)
            defer { munmap(mapping, length) }
            var vector = [UInt8](repeating: 0, count: (length + pageSize - 1) / pageSize)
            try #require(mincore(mapping, length, &vector) == 0)
            return vector.filter { $0 & 1 == 1 }.count
        }

        /// The whole of /proc/self/smaps, read to its end (Foundation's one read of a proc file
        /// can stop short of a large process's later mappings).
        private static func ownSmaps() -> String {
            let descriptor = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return "" }
            defer { close(descriptor) }
            var text: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                text += chunk[..<count]
            }
            return String(decoding: text, as: UTF8.self)
        }
    #endif
}
