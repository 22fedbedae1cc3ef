import Foundation
import Testing

@testable import LBClientKit

@Suite("ProcessRunner")
struct ProcessRunnerTests {
    let runner = ProcessRunner()

    @Test func collectsOutputAndExitStatus() async throws {
        let result = try await runner.run(
            "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"], timeout: .seconds(10))
        #expect(result.termination == .exited(3))
        #expect(result.standardOutput == "out\n")
        #expect(result.standardError == "err\n")
    }

    @Test func standardInputIsEmpty() async throws {
        let result = try await runner.run("/bin/cat", arguments: [], timeout: .seconds(10))
        #expect(result.succeeded)
        #expect(result.standardOutput == "")
    }

    @Test func programsDoNotInheritOurDescriptors() async throws {
        // A descriptor without close-on-exec, as Swift-NIO's sockets are.
        let leaky = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(leaky > 2)
        defer { close(leaky) }
        let result = try await runner.run(
            "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"], timeout: .seconds(10))
        let open = result.standardOutput.split(separator: "\n").compactMap { Int32($0) }
        #expect(open.contains(1))
        #expect(!open.contains(leaky), "the child holds \(open)")
        #expect(open.allSatisfy { $0 <= 2 || $0 >= 10 }, "the child holds \(open)")
    }

    @Test func missingProgramIsALaunchFailure() async throws {
        await #expect(throws: CommandError.launchFailed(executable: "/nonexistent/program", errno: ENOENT)) {
            _ = try await runner.run("/nonexistent/program", arguments: [], timeout: .seconds(5))
        }
    }

    @Test func reportsSignals() async throws {
        let result = try await runner.run(
            "/bin/sh", arguments: ["-c", "kill -TERM $$"], timeout: .seconds(10))
        #expect(result.termination == .signalled(SIGTERM))
    }

    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbclient-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pidFile = directory.appendingPathComponent("child.pid").path
        // The shell starts a background sleep that holds no pipe, records its pid, then waits.
        let script = "sleep 60 >/dev/null 2>&1 & echo $! > \(pidFile); sleep 60"
        let started = ContinuousClock.now
        await #expect(throws: CommandError.timedOut(executable: "/bin/sh", after: .milliseconds(500))) {
            _ = try await runner.run("/bin/sh", arguments: ["-c", script], timeout: .milliseconds(500))
        }
        #expect(started.duration(to: .now) < .seconds(10))
        let grandchild = try #require(
            Int32(
                String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        // The grandchild was in the same group and got SIGKILL; give the kernel a moment to reap.
        var alive = true
        for _ in 0..<100 {
            if kill(grandchild, 0) != 0 || isZombie(grandchild) {
                alive = false
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!alive, "process \(grandchild) survived the timeout")
    }

    @Test func cancellationKillsTheProgram() async throws {
        let task = Task { try await runner.run("/bin/sleep", arguments: ["60"], timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: CommandError.cancelled(executable: "/bin/sleep")) { _ = try await task.value }
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func outputBeyondTheLimitIsDiscardedWithoutBlocking() async throws {
        let result = try await runner.run(
            "/bin/sh", arguments: ["-c", "head -c 3000000 /dev/zero"], timeout: .seconds(20))
        #expect(result.succeeded)
        #expect(result.standardOutput.utf8.count == ProcessRunner.outputLimit)
    }

    @Test func manyProgramsAtOnce() async throws {
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await runner.run("/bin/echo", arguments: ["\(index)"], timeout: .seconds(20))
                        .standardOutput
                }
            }
            var outputs = Set<String>()
            for try await output in group { outputs.insert(output) }
            #expect(outputs == Set((0..<40).map { "\($0)\n" }))
        }
    }

    private func isZombie(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
            return false
        }
        guard let close = status.lastIndex(of: ")") else { return false }
        return status[status.index(close, offsetBy: 2)] == "Z"
    }
}
