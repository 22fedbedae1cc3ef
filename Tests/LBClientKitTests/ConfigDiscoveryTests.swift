import Foundation
import Testing

@testable import LBClientKit

@Suite("lbclient configuration discovery")
struct ConfigDiscoveryTests {
    private func discover(_ scratch: Scratch) throws(DiscoveryError) -> ConfigDiscovery.Result {
        try ConfigDiscovery(directory: scratch.path, aliasesFile: scratch.path + "/lbaliases").discover()
    }

    @Test func aliasesWithoutAFileShareTheDefaultOne() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf", "load constant 5\n")
        try scratch.write("lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\nlbalias=a.cern.ch\n")
        let found = try discover(scratch)
        #expect(
            found.mappings == [
                ConfigMapping(
                    path: scratch.path + "/lbclient.conf", aliases: ["a.cern.ch", "b.cern.ch"],
                    isAliasSpecific: false)
            ])
    }

    @Test func specificFilesComeFirstInNameOrderForAnyAliasName() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf", "load constant 5\n")
        try scratch.write("lbclient.conf.www.example.org", "load constant 1\n")
        try scratch.write("lbclient.conf.api.example.org", "load constant 2\n")
        try scratch.write(
            "lbaliases", "lbalias=www.example.org\nlbalias=shared.example.org\nlbalias=api.example.org\n")
        let found = try discover(scratch)
        #expect(
            found.mappings.map(\.aliases) == [
                ["api.example.org"], ["www.example.org"], ["shared.example.org"],
            ])
        #expect(found.mappings.map(\.isAliasSpecific) == [true, true, false])
    }

    @Test func subdirectoriesAndFoldersNamedLikeConfigsAreIgnored() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf", "load constant 5\n")
        try scratch.write("sub/lbclient.conf.a.cern.ch", "load constant 1\n")
        try scratch.makeDirectory("lbclient.conf.b.cern.ch")
        try scratch.write("lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\n")
        let found = try discover(scratch)
        #expect(found.mappings.count == 1)
        #expect(found.mappings[0].aliases == ["a.cern.ch", "b.cern.ch"])
    }

    @Test func aFileForAnUnlistedAliasIsIgnoredWithAWarning() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf", "load constant 5\n")
        try scratch.write("lbclient.conf.rpmsave", "load constant 1\n")
        try scratch.write("lbaliases", "lbalias=a.cern.ch\n")
        let found = try discover(scratch)
        #expect(found.mappings.map(\.aliases) == [["a.cern.ch"]])
        #expect(found.warnings.count == 1)
        #expect(found.warnings[0].contains("rpmsave is not listed"))
    }

    @Test func aNonDefaultConfNameIsHonoured() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("node.conf", "load constant 5\n")
        try scratch.write("lbaliases", "lbalias=a.cern.ch\n")
        let found = try ConfigDiscovery(
            directory: scratch.path, aliasesFile: scratch.path + "/lbaliases", defaultName: "node.conf"
        ).discover()
        #expect(found.mappings.first?.path == scratch.path + "/node.conf")
    }

    @Test func anAliasWithNoFileAtAllIsAnError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf.a.cern.ch", "load constant 5\n")
        try scratch.write("lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\n")
        #expect(throws: DiscoveryError.self) { try discover(scratch) }
        do {
            _ = try discover(scratch)
        } catch {
            #expect(
                error.message.contains("lbclient.conf does not exist, and b.cern.ch has no file of its own"))
        }
    }

    @Test func missingDirectoryOrAliasListIsAnError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        do {
            _ = try ConfigDiscovery(
                directory: scratch.path + "/nope", aliasesFile: scratch.path + "/lbaliases"
            ).discover()
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("cannot read the configuration directory"))
        }
        try scratch.write("lbclient.conf", "")
        do {
            _ = try discover(scratch)
            Issue.record("expected an error")
        } catch {
            #expect(
                error.message
                    == "cannot read the alias list \(scratch.path)/lbaliases: No such file or directory")
        }
    }

    @Test func noConfigurationAtAllIsAnError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbaliases", "")
        do {
            _ = try discover(scratch)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no configuration files found"))
        }
    }

    @Test func aDefaultFileWithNoAliasGivesNoMapping() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf", "load constant 5\n")
        try scratch.write("lbaliases", "# none\n")
        #expect(try discover(scratch).mappings.isEmpty)
    }
}
