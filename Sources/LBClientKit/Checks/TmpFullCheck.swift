#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `check tmpfull`: fails when `/tmp` is nearly full, in space (90 % of the blocks used) or in
/// inodes (95 % used), since most services break when they cannot create temporary files.
public struct TmpFullCheck: Check {
    static let directory = "/tmp"

    /// Anything after the keyword is ignored.
    public init(line: ConfigLine) throws {}

    public func run(in context: CheckContext) async throws -> CheckResult {
        let path = context.system.path(Self.directory)
        var information = statvfs()
        guard statvfs(path, &information) == 0 else {
            throw CheckError("cannot examine the file system of \(path): \(systemErrorDescription(errno))")
        }
        let usage = Usage(
            totalBlocks: UInt64(information.f_blocks), availableBlocks: UInt64(information.f_bavail),
            totalInodes: UInt64(information.f_files), freeInodes: UInt64(information.f_ffree))
        let detail = "\(Self.directory): \(usage.summary)"
        return usage.isFull ? .fail(detail) : .pass(detail)
    }

    /// How full a file system is, from its `statvfs` counters.
    public struct Usage: Sendable, Hashable {
        /// Fraction of the blocks an unprivileged user can no longer use; nil when the file
        /// system reports no block count (a tmpfs without a size limit).
        public var blocksUsed: Double?
        /// Fraction of the inodes in use; nil when the file system reports no inode count
        /// (btrfs, or a tmpfs without an inode limit), which means it has no inode limit.
        public var inodesUsed: Double?

        /// The block fraction at which the check fails.
        public static let blockLimit = 0.90
        /// The inode fraction at which the check fails.
        public static let inodeLimit = 0.95

        public init(totalBlocks: UInt64, availableBlocks: UInt64, totalInodes: UInt64, freeInodes: UInt64) {
            // Available blocks, not free ones: the root reserve is of no use to the services.
            blocksUsed = totalBlocks == 0 ? nil : 1 - Double(availableBlocks) / Double(totalBlocks)
            // golbclient divided by zero here and failed every node whose /tmp reports 0 inodes.
            inodesUsed = totalInodes == 0 ? nil : 1 - Double(freeInodes) / Double(totalInodes)
        }

        public var isFull: Bool {
            (blocksUsed ?? 0) >= Self.blockLimit || (inodesUsed ?? 0) >= Self.inodeLimit
        }

        /// `blocks 42.0 % used (limit 90 %), inodes 3.1 % used (limit 95 %)`.
        public var summary: String {
            let blocks = blocksUsed.map { "blocks \(Self.percent($0)) used" } ?? "no block limit"
            let inodes = inodesUsed.map { "inodes \(Self.percent($0)) used" } ?? "no inode limit"
            return "\(blocks) (limit 90 %), \(inodes) (limit 95 %)"
        }

        private static func percent(_ fraction: Double) -> String {
            let tenths = (fraction * 1000).rounded()
            return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10) %"
        }
    }
}
