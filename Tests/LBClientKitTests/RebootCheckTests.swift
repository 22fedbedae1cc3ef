import Foundation
import Testing

@testable import LBClientKit

@Suite("RebootCheck")
struct RebootCheckTests {
    @Test func passesWithoutScheduledShutdown() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.makeDirectory("run/systemd")
        let result = try await RebootCheck(line: CheckFixtures.line(.reboot)).run(
            in: CheckFixtures.context(root: scratch.path))
        #expect(result.passed)
    }

    @Test func failsWhenAShutdownIsScheduled() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("run/systemd/shutdown/scheduled", "USEC=1700000000000000\nMODE=reboot\n")
        let result = try await RebootCheck(line: CheckFixtures.line(.reboot)).run(
            in: CheckFixtures.context(root: scratch.path))
        #expect(result == .fail("a shutdown is scheduled (/run/systemd/shutdown/scheduled exists)"))
    }
}
