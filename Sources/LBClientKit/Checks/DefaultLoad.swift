import Foundation

/// The components of the built-in load, kept for the logs.
public struct DefaultLoadResult: Sendable, Hashable {
    /// The load reported for the aliases.
    public var value: Int
    /// 1-minute load average / 10; -2 when `/proc/loadavg` cannot be read.
    public var cpu: Double
    /// Memory pressure, 0 to 1, or 5 when swap or commit is above 75 %; -2 when
    /// `/proc/meminfo` cannot be read.
    public var swap: Double
    /// Distinct users owning processes; -10 when the process list cannot be read.
    public var users: Int
    /// 1/3 per GNOME or KDE session, 1/4 per fvwm; -10 when the process list cannot be read.
    public var desktopSessions: Double

    public init(value: Int, cpu: Double, swap: Double, users: Int, desktopSessions: Double) {
        self.value = value
        self.cpu = cpu
        self.swap = swap
        self.users = users
        self.desktopSessions = desktopSessions
    }

    /// `160 (cpu 0.214, swap 0.601, users 1, desktop sessions 0)`.
    public var summary: String {
        "\(value) (cpu \(Self.rounded(cpu)), swap \(Self.rounded(swap)), users \(users), "
            + "desktop sessions \(Self.rounded(desktopSessions)))"
    }

    private static func rounded(_ number: Double) -> String {
        let thousandths = (number * 1000).rounded() / 1000
        return thousandths == thousandths.rounded() ? String(Int(thousandths)) : String(thousandths)
    }
}

/// The load a node reports when its configuration gives none (no load line, or loads summing
/// to exactly 0): golbclient's formula, kept exactly so that old and new clients rank nodes
/// alike.
///
/// ```
/// load = trunc(1000 * ((swap + users/25)/2 + 2*swapping + 3*cpu + 2*desktopSessions) / 6)
/// ```
/// with `swapping` always 0. golbclient counted users and desktop sessions from `ps auxw`;
/// this reads the same facts from `/proc/<pid>/status` and `/proc/<pid>/cmdline` (see
/// ``processCounts(procDirectory:)``). Unreadable inputs give the original's sentinel values
/// (-2 for cpu or swap, -10 for users and sessions), which can make the load negative, as
/// golbclient's could.
public struct DefaultLoad: Sendable {
    public var system: SystemEnvironment

    public init(system: SystemEnvironment) {
        self.system = system
    }

    public func compute() -> DefaultLoadResult {
        let cpu = (try? SystemFile.text(system.path("/proc/loadavg"))).flatMap(Self.cpu(loadavg:)) ?? -2
        let swap = (try? SystemFile.text(system.path("/proc/meminfo"))).flatMap(Self.swap(meminfo:)) ?? -2
        let counts = Self.processCounts(procDirectory: system.path("/proc"))
        let users = counts?.users ?? -10
        let sessions = counts?.desktopSessions ?? -10
        return DefaultLoadResult(
            value: Self.load(cpu: cpu, swap: swap, users: users, desktopSessions: sessions), cpu: cpu,
            swap: swap, users: users, desktopSessions: sessions)
    }

    /// The formula itself.
    static func load(cpu: Double, swap: Double, users: Int, desktopSessions: Double) -> Int {
        let swapping = 0.0
        let sum = ((swap + Double(users) / 25) / 2) + 2 * swapping + 3 * cpu + 2 * desktopSessions
        return lineValue(1000 * sum / 6)
    }

    /// The 1-minute load average divided by 10; nil when the text does not start with a number.
    static func cpu(loadavg: String) -> Double? {
        guard let word = loadavg.split(whereSeparator: \.isWhitespace).first,
            let average = Double(word), average.isFinite
        else { return nil }
        return average / 10
    }

    /// The memory-pressure term; nil when a needed `/proc/meminfo` field is missing or
    /// malformed.
    ///
    /// Swap sizes are compared in whole GiB (integer division, as golbclient did), so a node
    /// with less than 1 GiB of swap and memory counts as having none.
    static func swap(meminfo: String) -> Double? {
        var fields: [Substring: Int] = [:]
        for line in meminfo.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let words = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace)
            if let first = words.first, let kilobytes = Int(first), kilobytes >= 0 {
                fields[line[..<colon]] = kilobytes
            }
        }
        guard let memoryTotal = fields["MemTotal"], let memoryFree = fields["MemFree"],
            var swapTotal = fields["SwapTotal"], var swapFree = fields["SwapFree"],
            let commitLimit = fields["CommitLimit"], let committed = fields["Committed_AS"]
        else { return nil }
        // Without swap, memory itself is what may run out.
        if swapTotal == 0 {
            swapTotal = memoryTotal
            swapFree = memoryFree
        }
        let totalGiB = swapTotal / 1_048_576
        let freeGiB = swapFree / 1_048_576
        // Doubles: the kilobyte products of a hostile file must not overflow.
        if 100 * Double(freeGiB) < 75 * Double(totalGiB) || 100 * Double(committed) > 75 * Double(commitLimit)
        {
            return 5
        }
        if totalGiB == 0 { return 0 }
        return (21 - 20 * Double(freeGiB) / Double(totalGiB)) / 6
    }

    /// Distinct users owning processes and the desktop-session weight, from the process
    /// directories of `procDirectory`; nil when it cannot be listed.
    ///
    /// This counts what golbclient's `ps auxw` parsing counted, without running `ps`:
    /// * users: ps's USER column is the effective user, so the second (effective) uid of each
    ///   process's `Uid:` line; processes of one uid are one user.
    /// * sessions: ps's COMMAND column is the argument list joined by spaces, or `[name]` when
    ///   it is empty (kernel threads); its first word containing `gnome-session` or `kdesktop`
    ///   counts 1/3, containing `fvwm` 1/4 (both can apply, as both patterns were tried).
    /// A process that exits while being read is skipped, as ps would not list it.
    static func processCounts(procDirectory: String) -> (users: Int, desktopSessions: Double)? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: procDirectory) else {
            return nil
        }
        var users: Set<Substring> = []
        var sessions = 0.0
        for entry in entries where !entry.isEmpty && entry.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            let directory = procDirectory + "/" + entry
            guard let status = try? SystemFile.text(directory + "/status"),
                let user = effectiveUser(status: status)
            else { continue }
            users.insert(user)
            let arguments = (try? SystemFile.bytes(directory + "/cmdline")) ?? []
            let word = commandWord(cmdline: arguments, name: processName(status: status))
            if word.contains("gnome-session") || word.contains("kdesktop") { sessions += 1.0 / 3 }
            if word.contains("fvwm") { sessions += 1.0 / 4 }
        }
        return (users.count, sessions)
    }

    /// The effective uid of a `/proc/<pid>/status` text (`Uid: real effective saved fs`).
    static func effectiveUser(status: String) -> Substring? {
        for line in status.split(whereSeparator: \.isNewline) where line.hasPrefix("Uid:") {
            let ids = line.dropFirst("Uid:".count).split(whereSeparator: \.isWhitespace)
            return ids.count >= 2 ? ids[1] : ids.first
        }
        return nil
    }

    /// The `Name:` of a `/proc/<pid>/status` text.
    static func processName(status: String) -> Substring {
        for line in status.split(whereSeparator: \.isNewline) where line.hasPrefix("Name:") {
            return line.dropFirst("Name:".count).drop { $0 == " " || $0 == "\t" }
        }
        return ""
    }

    /// The first word of ps's COMMAND column for a process.
    static func commandWord(cmdline: [UInt8], name: Substring) -> Substring {
        let argumentZero = cmdline.prefix { $0 != 0 }
        let command = cmdline.isEmpty ? "[\(name)]" : String(decoding: argumentZero, as: UTF8.self)
        return Substring(command).prefix { $0 != " " }
    }
}
