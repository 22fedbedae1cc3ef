import Foundation
import Testing

@testable import LBClientKit

@Suite("NologinCheck")
struct NologinCheckTests {
    private func run(_ scratch: Scratch, aliasSpecific: Bool, aliases: [String] = ["b.cern.ch"]) async throws
        -> CheckResult
    {
        let check = try NologinCheck(line: CheckFixtures.line(.nologin, "extra words are ignored"))
        return try await check.run(
            in: CheckFixtures.context(root: scratch.path, aliases: aliases, isAliasSpecific: aliasSpecific))
    }

    @Test func passesWithoutNologinFiles() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.makeDirectory("etc")
        let result = try await run(scratch, aliasSpecific: false)
        #expect(result == .pass("neither /etc/nologin nor /etc/iss.nologin exists"))
    }

    @Test func etcNologinFailsEveryFile() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/nologin", "maintenance\n")
        #expect(try await run(scratch, aliasSpecific: false) == .fail("/etc/nologin exists"))
        #expect(try await run(scratch, aliasSpecific: true) == .fail("/etc/nologin exists"))
    }

    @Test func sharedIssNologinFailsOnlyTheDefaultFile() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/iss.nologin", "")
        #expect(try await run(scratch, aliasSpecific: false) == .fail("/etc/iss.nologin exists"))
        // golbclient: an alias-specific file looks at its own file instead of the shared one.
        #expect(try await run(scratch, aliasSpecific: true).passed)
    }

    @Test func aliasIssNologinFailsOnlyThatAliasFile() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("etc/iss.nologin.b.cern.ch", "")
        #expect(try await run(scratch, aliasSpecific: true) == .fail("/etc/iss.nologin.b.cern.ch exists"))
        #expect(try await run(scratch, aliasSpecific: true, aliases: ["c.cern.ch"]).passed)
        #expect(try await run(scratch, aliasSpecific: false).passed)
    }

    @Test func aDirectoryCountsAsPresent() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.makeDirectory("etc/nologin")
        #expect(try await run(scratch, aliasSpecific: false) == .fail("/etc/nologin exists"))
    }

    @Test func aliasSpecificWithoutAliasFallsBackToTheSharedFile() {
        #expect(
            NologinCheck.files(isAliasSpecific: true, aliases: []) == ["/etc/nologin", "/etc/iss.nologin"])
    }
}
