/// One mapping of a process's address space, as `/proc/PID/smaps` describes it.
///
/// Only what ``StartupPageRelease`` decides on is kept. A size the kernel did not print (or
/// printed in a form not understood) is nil, and a caller must then assume the worst.
public struct MemoryMapRegion: Equatable, Sendable {
    /// First address of the mapping.
    public var start: UInt
    /// One past its last address.
    public var end: UInt
    /// The four permission letters, `r-xp` for instance (`p` private, `s` shared).
    public var permissions: String
    /// Where in the file the mapping begins.
    public var offset: UInt64
    /// The mapped file, a pseudo-name such as `[heap]`, or nil for anonymous memory.
    public var path: String?
    /// `Rss:` in KiB: how much of it is in memory.
    public var residentKiB: Int?
    /// `Anonymous:` in KiB: pages not backed by the file, such as the copies a write to a
    /// private mapping makes.
    public var anonymousKiB: Int?

    public init(
        start: UInt, end: UInt, permissions: String, offset: UInt64, path: String?,
        residentKiB: Int? = nil, anonymousKiB: Int? = nil
    ) {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.offset = offset
        self.path = path
        self.residentKiB = residentKiB
        self.anonymousKiB = anonymousKiB
    }

    /// Readable, not writable, private: pages only ever read from the file.
    public var isPrivateReadOnly: Bool {
        let letters = Array(permissions)
        return letters.count == 4 && letters[0] == "r" && letters[1] == "-" && letters[3] == "p"
    }

    /// The mappings of an smaps text, in order. A header line that does not parse (and the
    /// field lines after it, up to the next header) is skipped: the kernel's format is stable,
    /// but a region that cannot be read must never be acted on.
    public static func parse(smaps text: Substring) -> [MemoryMapRegion] {
        var regions: [MemoryMapRegion] = []
        var current: MemoryMapRegion?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let region = header(line) {
                if let current { regions.append(current) }
                current = region
            } else if current != nil, let (key, kibibytes) = field(line) {
                switch key {
                case "Rss": current?.residentKiB = kibibytes
                case "Anonymous": current?.anonymousKiB = kibibytes
                default: break
                }
            } else if current != nil, !isKnownNonSizeLine(line) {
                // A line that is neither a header nor a field: this region's text is damaged.
                current = nil
            }
        }
        if let current { regions.append(current) }
        return regions
    }

    /// `start-end perms offset dev inode [path]`; the path may contain blanks.
    private static func header(_ line: Substring) -> MemoryMapRegion? {
        let parts = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard parts.count >= 5 else { return nil }
        let range = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
            start < end, parts[1].count == 4, parts[1].allSatisfy({ "rwxsp-".contains($0) }),
            let offset = UInt64(parts[2], radix: 16), parts[3].contains(":"), UInt64(parts[4]) != nil
        else { return nil }
        var path: String?
        if parts.count == 6 {
            let name = parts[5].drop { $0 == " " }
            if !name.isEmpty { path = String(name) }
        }
        return MemoryMapRegion(
            start: start, end: end, permissions: String(parts[1]), offset: offset, path: path)
    }

    /// `Key:   123 kB`.
    private static func field(_ line: Substring) -> (Substring, Int)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0].last == ":", parts[2] == "kB", let value = Int(parts[1]), value >= 0
        else { return nil }
        return (parts[0].dropLast(), value)
    }

    /// Lines of a region that are not sizes (`VmFlags: rd ex mr`, `THPeligible: 0`...).
    private static func isKnownNonSizeLine(_ line: Substring) -> Bool {
        guard let colon = line.firstIndex(of: ":") else { return false }
        let key = line[..<colon]
        return !key.isEmpty && !key.contains(" ") && key.first?.isLetter == true
    }
}
