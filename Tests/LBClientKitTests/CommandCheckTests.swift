import Foundation
import Testing

@testable import LBClientKit

@Suite("CommandCheck")
struct CommandCheckTests {
    private func run(_ command: String, timeout: Duration = .seconds(20)) async throws -> CheckResult {
        let check = try CommandCheck(line: CheckFixtures.line(.command, command))
        return try await check.run(in: CheckFixtures.context(root: "/", timeout: timeout))
    }

    @Test func exitZeroPasses() async throws {
        #expect(try await run("true && echo fine") == .pass("`true && echo fine` exited with status 0"))
    }

    @Test func nonZeroFails() async throws {
        #expect(
            try await run("echo broken >&2; exit 3")
                == .fail("`echo broken >&2; exit 3` exited with status 3: broken"))
        #expect(try await run("false").passed == false)
    }

    @Test func emptyCommandPasses() async throws {
        #expect(try await run("").passed)
    }

    @Test func notFoundIsAnError() async throws {
        await #expect(throws: CheckError.self) { _ = try await run("/nonexistent/program") }
    }

    @Test func notExecutableIsAnError() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("plain.sh", "exit 0\n")
        let error = await #expect(throws: CheckError.self) { _ = try await run(path) }
        #expect(error?.message.contains("not executable") == true)
    }

    @Test func signalIsAnError() async throws {
        let error = await #expect(throws: CheckError.self) { _ = try await run("kill -KILL $$") }
        #expect(error?.message.contains("signal 9") == true)
    }

    @Test func timeoutKillsTheCommand() async throws {
        await #expect(throws: CommandError.self) {
            _ = try await run("sleep 30", timeout: .milliseconds(300))
        }
    }
}
