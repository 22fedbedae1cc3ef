import Foundation
import Testing

@testable import LBClientKit

@Suite("RogerCheck")
struct RogerCheckTests {
    private func run(_ contents: String?) async throws -> CheckResult {
        let scratch = try Scratch()
        defer { scratch.remove() }
        if let contents { try scratch.write("etc/roger/current.yaml", contents) }
        return try await RogerCheck(line: CheckFixtures.line(.roger)).run(
            in: CheckFixtures.context(root: scratch.path))
    }

    @Test func productionPasses() async throws {
        #expect(
            try await run("---\nhostname: node1.cern.ch\nappstate: production\nexpires: 2030-01-01\n")
                == .pass("roger appstate is production"))
    }

    @Test func ignoreRogerPasses() async throws {
        #expect(try await run("appstate: ignore_roger\n").passed)
    }

    @Test func otherStatesFail() async throws {
        #expect(try await run("appstate: draining\n") == .fail("roger appstate is draining, not production"))
        #expect(try await run("appstate: Production\n").passed == false)
    }

    @Test func theLastAppstateLineDecides() async throws {
        #expect(try await run("appstate: draining\nappstate: production\n").passed)
        #expect(try await run("appstate: production\nappstate: intervention\n").passed == false)
    }

    @Test func quotedStatesAreUnquoted() async throws {
        // A documented fix: golbclient compared the quotes too.
        #expect(try await run("appstate: \"production\"\n").passed)
        #expect(try await run("appstate: 'production'\n").passed)
        #expect(try await run("appstate: \"production\n").passed == false)
    }

    @Test func lineFormat() {
        #expect(RogerCheck.appState(in: "appstate:production") == "production")
        #expect(RogerCheck.appState(in: "appstate:   production   # comment") == "production")
        #expect(RogerCheck.appState(in: "appstate: production\r\n") == "production")
        // Column 0 only, and a blank value does not hide an earlier line.
        #expect(RogerCheck.appState(in: "  appstate: production") == nil)
        #expect(RogerCheck.appState(in: "appstate: production\nappstate:   \n") == "production")
        #expect(RogerCheck.appState(in: "appstate:\tproduction") == nil)
        #expect(RogerCheck.appState(in: "") == nil)
    }

    @Test func missingAppstateFails() async throws {
        #expect(try await run("hostname: x\n") == .fail("/etc/roger/current.yaml has no appstate line"))
    }

    @Test func missingFileIsAnError() async throws {
        await #expect(throws: CheckError.self) { _ = try await run(nil) }
    }
}
