import Foundation
import Testing

@testable import LBClientKit

@Suite("DefaultLoad")
struct DefaultLoadTests {
    /// The reference's worked example: no swap, 23 GiB of memory with 20 free, little
    /// committed, load average 2.14, one user.
    private static let exampleMeminfo = """
        MemTotal:       24731708 kB
        MemFree:        21513044 kB
        MemAvailable:   22000000 kB
        SwapCached:            0 kB
        SwapTotal:             0 kB
        SwapFree:              0 kB
        CommitLimit:    12365852 kB
        Committed_AS:     316404 kB
        HugePages_Total:       0

        """

    private static func status(name: String, uid: Int) -> String {
        "Name:\t\(name)\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t1\nUid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)\nGid:\t0\t0\t0\t0\n"
    }

    private static func writeProcess(
        _ scratch: Scratch, pid: Int, name: String, uid: Int, arguments: [String]
    ) throws {
        try scratch.write("proc/\(pid)/status", status(name: name, uid: uid))
        let cmdline = arguments.map { $0 + "\0" }.joined()
        try scratch.write("proc/\(pid)/cmdline", cmdline)
    }

    @Test func workedExample() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("proc/loadavg", "2.14 1.80 1.52 3/412 12345\n")
        try scratch.write("proc/meminfo", Self.exampleMeminfo)
        try Self.writeProcess(scratch, pid: 1, name: "systemd", uid: 0, arguments: ["/sbin/init", "splash"])
        try Self.writeProcess(scratch, pid: 2, name: "kthreadd", uid: 0, arguments: [])
        // Not process directories.
        try scratch.write("proc/self/status", Self.status(name: "x", uid: 1000))
        try scratch.write("proc/sys/kernel/hostname", "node\n")

        let result = DefaultLoad(system: SystemEnvironment(root: scratch.path)).compute()
        #expect(result.value == 160)
        #expect(abs(result.cpu - 0.214) < 1e-9)
        #expect(abs(result.swap - (21 - 20.0 * 20 / 23) / 6) < 1e-9)
        #expect(result.users == 1)
        #expect(result.desktopSessions == 0)
        #expect(result.summary == "160 (cpu 0.214, swap 0.601, users 1, desktop sessions 0)")
    }

    @Test func formula() {
        #expect(
            DefaultLoad.load(cpu: 0.214, swap: (21 - 20.0 * 20 / 23) / 6, users: 1, desktopSessions: 0) == 160
        )
        #expect(DefaultLoad.load(cpu: 0, swap: 0, users: 0, desktopSessions: 0) == 0)
        // 1000 * (5/2) / 6 = 416.67, truncated.
        #expect(DefaultLoad.load(cpu: 0, swap: 5, users: 0, desktopSessions: 0) == 416)
    }

    @Test func swapTerm() {
        func meminfo(
            total: Int, free: Int, swapTotal: Int, swapFree: Int, limit: Int = 100, committed: Int = 0
        )
            -> String
        {
            "MemTotal: \(total) kB\nMemFree: \(free) kB\nSwapTotal: \(swapTotal) kB\nSwapFree: \(swapFree) kB\n"
                + "CommitLimit: \(limit) kB\nCommitted_AS: \(committed) kB\n"
        }
        let gib = 1_048_576
        // Swap 8 GiB, 2 free: under 75 % free.
        #expect(
            DefaultLoad.swap(
                meminfo: meminfo(total: 16 * gib, free: 8 * gib, swapTotal: 8 * gib, swapFree: 2 * gib)) == 5)
        // Over-committed.
        #expect(
            DefaultLoad.swap(
                meminfo: meminfo(
                    total: 16 * gib, free: 8 * gib, swapTotal: 8 * gib, swapFree: 8 * gib, limit: 100,
                    committed: 76))
                == 5)
        // All swap free: (21 - 20) / 6.
        #expect(
            DefaultLoad.swap(
                meminfo: meminfo(total: 16 * gib, free: 1, swapTotal: 8 * gib, swapFree: 8 * gib)) == 1.0 / 6)
        // Less than 1 GiB in integer GiB: none.
        #expect(
            DefaultLoad.swap(meminfo: meminfo(total: gib - 1, free: gib - 1, swapTotal: 0, swapFree: 0)) == 0)
        // A missing field or a hostile value.
        #expect(DefaultLoad.swap(meminfo: "MemTotal: 1 kB\n") == nil)
        #expect(
            DefaultLoad.swap(
                meminfo: meminfo(
                    total: Int.max, free: Int.max, swapTotal: 0, swapFree: 0, limit: Int.max,
                    committed: Int.max)) != nil)
    }

    @Test func cpuTerm() {
        #expect(DefaultLoad.cpu(loadavg: "10.00 1 1 1/1 1") == 1)
        #expect(DefaultLoad.cpu(loadavg: "") == nil)
        #expect(DefaultLoad.cpu(loadavg: "nan 1") == nil)
        #expect(DefaultLoad.cpu(loadavg: "x") == nil)
    }

    @Test func usersAndDesktopSessions() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try Self.writeProcess(scratch, pid: 1, name: "systemd", uid: 0, arguments: ["/sbin/init"])
        try Self.writeProcess(
            scratch, pid: 100, name: "gnome-session-b", uid: 1000,
            arguments: ["/usr/libexec/gnome-session-binary", "--session=gnome"])
        try Self.writeProcess(scratch, pid: 101, name: "kdesktop", uid: 1001, arguments: ["kdesktop"])
        try Self.writeProcess(scratch, pid: 102, name: "fvwm", uid: 1002, arguments: ["/usr/bin/fvwm"])
        try Self.writeProcess(scratch, pid: 103, name: "bash", uid: 1000, arguments: ["bash"])
        // Only the first word of the command counts, as ps's COMMAND column and the regex did.
        try Self.writeProcess(scratch, pid: 104, name: "vim", uid: 1000, arguments: ["vim", "fvwm.conf"])
        // An empty command line shows as `[name]` in ps.
        try Self.writeProcess(scratch, pid: 105, name: "fvwm-helper", uid: 1003, arguments: [])
        // A process that vanished: status gone.
        try scratch.write("proc/106/cmdline", "gnome-session\0")
        // Effective uid, as ps's USER column: real 1004, effective 0.
        try scratch.write("proc/107/status", "Name:\tsu\nUid:\t1004\t0\t0\t0\n")
        try scratch.write("proc/107/cmdline", "su\0")

        let counts = try #require(DefaultLoad.processCounts(procDirectory: scratch.path + "/proc"))
        #expect(counts.users == 5)
        #expect(abs(counts.desktopSessions - (2.0 / 3 + 2.0 / 4)) < 1e-9)
    }

    @Test func commandWord() {
        #expect(DefaultLoad.commandWord(cmdline: Array("a b\0c\0".utf8), name: "n") == "a")
        #expect(DefaultLoad.commandWord(cmdline: [], name: "kworker/0:1") == "[kworker/0:1]")
        #expect(DefaultLoad.commandWord(cmdline: [0], name: "n") == "")
    }

    @Test func unreadableInputsGiveTheSentinels() {
        let result = DefaultLoad(system: SystemEnvironment(root: "/nonexistent-lbclient-root")).compute()
        #expect(result.cpu == -2)
        #expect(result.swap == -2)
        #expect(result.users == -10)
        #expect(result.desktopSessions == -10)
        // ((-2 - 0.4)/2 + 3*-2 + 2*-10) * 1000 / 6 = -4533.3
        #expect(result.value == -4533)
    }

    @Test func realSystemGivesAPlausibleLoad() {
        let result = DefaultLoad(system: SystemEnvironment()).compute()
        #expect(result.cpu >= 0)
        #expect(result.swap >= 0)
        #expect(result.users >= 1)
    }
}
