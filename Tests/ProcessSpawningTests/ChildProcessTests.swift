import Foundation
import ProcessSpawning
import Testing

@Suite("ChildProcess")
struct ChildProcessTests {
    @Test func redirectsStreamsAndPassesEnvironmentAndDirectory() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in"
        try "from stdin\n".write(toFile: input, atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            "/bin/sh", arguments: ["-c", "cat; echo \"$GREETING\"; pwd; echo oops >&2; exit 4"],
            environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"], workingDirectory: directory,
            standardInput: .file(input), standardOutput: .file(directory + "/out"),
            standardError: .file(directory + "/err"))
        #expect(child.wait(timeout: .seconds(20)) == .exited(4))
        let resolved = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        #expect(
            try String(contentsOfFile: directory + "/out", encoding: .utf8)
                == "from stdin\nhello\n\(resolved)\n")
        #expect(try String(contentsOfFile: directory + "/err", encoding: .utf8) == "oops\n")
    }

    @Test func missingProgramIsASpawnError() {
        #expect(throws: SpawnError(executable: "/nonexistent/program", errno: ENOENT)) {
            _ = try ChildProcess("/nonexistent/program")
        }
    }

    @Test func descriptorsAreNotInherited() throws {
        // A descriptor without close-on-exec, as Swift-NIO's sockets are.
        let leaky = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(leaky > 2)
        defer { close(leaky) }
        let outcome = try CapturedRun.run(
            "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"], timeout: .seconds(20))
        guard case .finished(.exited(0), let output, _) = outcome else {
            Issue.record("ls failed: \(outcome)")
            return
        }
        let open = String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
        #expect(open.contains(1))
        #expect(!open.contains(leaky), "the child holds \(open)")
        #expect(open.allSatisfy { $0 <= 2 || $0 >= 10 }, "the child holds \(open)")
    }

    @Test func deadlineKillsTheWholeProcessGroup() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/grandchild.pid"
        // The shell starts a background sleep that keeps stdout open, records its pid, then exits:
        // the run only ends when the grandchild is gone.
        let script = "sleep 60 & echo $! > \(pidFile); exit 0"
        let started = ContinuousClock.now
        let outcome = try CapturedRun.run("/bin/sh", arguments: ["-c", script], timeout: .milliseconds(500))
        #expect(outcome == .timedOut)
        #expect(started.duration(to: .now) < .seconds(10))
        let grandchild = try #require(
            Int32(
                try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        #expect(Scratch.ends(grandchild), "process \(grandchild) survived the deadline")
    }

    @Test func stopSignalsTheGroupThenKills() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/grandchild.pid"
        // The shell ignores SIGTERM, so only SIGKILL after the grace period ends it; its
        // background sleep takes SIGTERM with the group.
        let child = try ChildProcess(
            "/bin/sh",
            arguments: ["-c", "trap '' TERM; sleep 60 & echo $! > \(pidFile); while :; do sleep 1; done"])
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !FileManager.default.fileExists(atPath: pidFile)
            || (try? String(contentsOfFile: pidFile, encoding: .utf8))?.hasSuffix("\n") != true
        {
            #expect(ContinuousClock.now < deadline)
            if ContinuousClock.now >= deadline { return }
            usleep(10_000)
        }
        let grandchild = try #require(
            Int32(
                try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        #expect(child.isRunning)
        #expect(child.stop(grace: .milliseconds(300)) == .signalled(SIGKILL))
        #expect(!child.isRunning)
        #expect(Scratch.ends(grandchild), "process \(grandchild) survived the stop")
    }

    @Test func capturedRunKeepsOutputUpToTheLimit() throws {
        let outcome = try CapturedRun.run(
            "/bin/sh", arguments: ["-c", "head -c 300000 /dev/zero; echo err >&2"], timeout: .seconds(20),
            outputLimit: 1000)
        guard case .finished(let termination, let output, let error) = outcome else {
            Issue.record("no result: \(outcome)")
            return
        }
        #expect(termination == .exited(0))
        #expect(output.count == 1000)
        #expect(error == Array("err\n".utf8))
    }

    @Test func cancellationKillsTheProgram() throws {
        let started = ContinuousClock.now
        let outcome = try CapturedRun.run(
            "/bin/sleep", arguments: ["60"], timeout: .seconds(60),
            isCancelled: { started.duration(to: .now) > .milliseconds(200) })
        #expect(outcome == .cancelled)
        #expect(started.duration(to: .now) < .seconds(10))
    }
}

enum Scratch {
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Whether `pid` is gone (or a zombie) within a few seconds.
    static func ends(_ pid: Int32) -> Bool {
        for _ in 0..<250 {
            if kill(pid, 0) != 0 || isZombie(pid) { return true }
            usleep(20_000)
        }
        return false
    }

    private static func isZombie(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = status.lastIndex(of: ")")
        else { return false }
        return status[status.index(after: close)...].split(separator: " ").first == "Z"
    }
}
