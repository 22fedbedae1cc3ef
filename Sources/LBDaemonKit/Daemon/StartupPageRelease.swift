#if canImport(Glibc)
    import Glibc
#endif

/// Hands back the pages of lbd's executable and shared libraries that only its start-up read.
///
/// Start-up (argument parsing, the YAML parser, the runtime's scans of the protocol
/// conformances and type descriptors, the dynamic loader) reads code and tables all over the
/// 200 MB executable, and the kernel maps 64 KB around every page read. Those pages then stay
/// in lbd's RSS for its whole life although the cycles never read most of them again: about
/// 20 MB at 200 nodes, against some 12 MB that the cycles do read (docs/performance.md).
///
/// `madvise(MADV_DONTNEED)` unmaps them from lbd only. They stay in the page cache, and a
/// later read maps them back, from memory, on its first use. It is done only on mappings of
/// files (the executable, the shared libraries) that are private, read-only and have no
/// anonymous page: on those, every page is the file's, so dropping it loses nothing. Never on a writable or read-only-after-
/// relocation mapping: there dropping a private copy would undo a write (a relocation).
///
/// Dropped pages that the cycles still run come back on their next use, and with them the
/// pages around them that are in the page cache (the kernel maps up to 64 KB, or a whole large
/// folio of a file just written, per fault). So the executable's mappings are first marked
/// `MADV_RANDOM` (no read-around: a fault reads the one page it needs), and after the release
/// the executable's pages that no mapping holds any more are dropped from the page cache
/// (`posix_fadvise(POSIX_FADV_DONTNEED)`): a later fault then maps the page the code runs, not
/// the start-up's neighbours. That drops only clean page-cache copies of a file lbd only reads;
/// a page still mapped, dirty or under writeback is left alone by the kernel.
public enum StartupPageRelease {
    /// What was released.
    public struct Outcome: Equatable, Sendable {
        /// The mappings released.
        public var regions: [MemoryMapRegion]
        /// Their RSS just before, in KiB.
        public var residentKiB: Int
        /// Whether the executable's unmapped pages were dropped from the page cache.
        public var evictedFromPageCache: Bool
    }

    /// Why nothing was released.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// /proc is not there or not readable (not Linux, or a sandbox).
        case unreadable(path: String, errno: Int32)
        /// madvise refused a mapping; the ones before it were released.
        case adviceRefused(start: UInt, errno: Int32)

        public var description: String {
            switch self {
            case .unreadable(let path, let errno):
                return "cannot read \(path) (errno \(errno)): start-up pages not released"
            case .adviceRefused(let start, let errno):
                return "madvise refused the mapping at 0x\(String(start, radix: 16)) (errno \(errno))"
            }
        }
    }

    /// The mappings that may be released: those of `executable`, and with `libraries` of any
    /// other file (the shared libraries), that are private, read-only, and known to hold no
    /// anonymous page.
    public static func candidates(
        in regions: [MemoryMapRegion], executable: String, libraries: Bool = true
    ) -> [MemoryMapRegion] {
        regions.filter { region in
            guard let path = region.path, path == executable || (libraries && path.hasPrefix("/")) else {
                return false
            }
            return region.isPrivateReadOnly && region.anonymousKiB == 0 && region.start < region.end
        }
    }

    /// Releases the start-up pages of the running executable and its libraries; Linux only (elsewhere it throws
    /// ``Failure/unreadable(path:errno:)``).
    ///
    /// - Parameter steeringLaterFaults: also mark the executable's mappings `MADV_RANDOM` and
    ///   drop its file's unmapped pages from the page cache, so that later faults map only the
    ///   page they need (lbd). False releases only: a test process, whose later code would
    ///   otherwise be read from the disk a page at a time.
    @discardableResult
    public static func run(steeringLaterFaults: Bool = true) throws(Failure) -> Outcome {
        #if os(Linux)
            let executable = try linkTarget("/proc/self/exe")
            let smaps = try contents("/proc/self/smaps")
            let regions = MemoryMapRegion.parse(smaps: smaps[...])
            let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
            // Before the release, so that no fault after it reads around.
            if steeringLaterFaults {
                adviseRandomReads(regions.filter { $0.path == executable }, pageSize: pageSize)
            }
            let chosen = candidates(in: regions, executable: executable)
            var released: [MemoryMapRegion] = []
            for region in chosen where region.start % pageSize == 0 && region.end % pageSize == 0 {
                guard let address = UnsafeMutableRawPointer(bitPattern: region.start),
                    madvise(address, Int(region.end - region.start), Int32(MADV_DONTNEED)) == 0
                else { throw .adviceRefused(start: region.start, errno: errno) }
                released.append(region)
            }
            return Outcome(
                regions: released, residentKiB: released.reduce(0) { $0 + ($1.residentKiB ?? 0) },
                evictedFromPageCache: steeringLaterFaults && evictFromPageCache("/proc/self/exe"))
        #else
            throw .unreadable(path: "/proc/self/smaps", errno: ENOSYS)
        #endif
    }

    #if os(Linux)
        /// `MADV_RANDOM` on `regions`: a hint on how to read the file, which never changes a
        /// page's content, so it is given on every mapping of the executable, writable ones too.
        /// A refusal is harmless (faults then read around as before) and ignored.
        static func adviseRandomReads(_ regions: [MemoryMapRegion], pageSize: UInt) {
            for region in regions where region.start % pageSize == 0 {
                guard let address = UnsafeMutableRawPointer(bitPattern: region.start) else { continue }
                _ = madvise(address, Int(region.end - region.start), Int32(MADV_RANDOM))
            }
        }

        /// Drops the file's clean pages that no process maps from the page cache; false if the
        /// file cannot be opened or the kernel refused. `path` may be /proc/self/exe: opening
        /// it opens the running executable's file even after it was replaced or deleted.
        static func evictFromPageCache(_ path: String) -> Bool {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            return posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_DONTNEED)) == 0
        }

        private static func linkTarget(_ path: String) throws(Failure) -> String {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path, &buffer, buffer.count - 1)
            guard count > 0 else { throw .unreadable(path: path, errno: errno) }
            return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// The whole file: /proc files have no size, so it reads until the end.
        private static func contents(_ path: String) throws(Failure) -> String {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw .unreadable(path: path, errno: errno) }
            defer { close(descriptor) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count == 0 { break }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .unreadable(path: path, errno: errno)
                }
                bytes += chunk[..<count]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    #endif
}
