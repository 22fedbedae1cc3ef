import Foundation
import Testing

@testable import LBClientKit

/// Discovery reads the directory with opendir/readdir and stat instead of FileManager; these pin
/// the rules FileManager gave (docs/performance.md, one-shot start-up).
@Suite("Configuration directory listing without FileManager")
struct DirectoryListingTests {
    @Test func namesAreFileManagersNamesHiddenOnesIncluded() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lbclient.conf", "load constant 5\n")
        try scratch.write(".hidden", "x\n")
        try scratch.write("lbclient.conf.b.example.org", "x\n")
        try scratch.makeDirectory("sub")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/dangling", withDestinationPath: "/nonexistent")
        let names = try #require(DirectoryListing.names(in: scratch.path))
        #expect(
            names.sorted() == (try FileManager.default.contentsOfDirectory(atPath: scratch.path)).sorted())
        #expect(names.contains(".hidden"))
        #expect(!names.contains(".") && !names.contains(".."))
    }

    @Test func anUnreadableDirectoryGivesNilSoFileManagerSaysWhy() throws {
        #expect(DirectoryListing.names(in: "/nonexistent-lbclient-directory") == nil)
        #expect(DirectoryListing.names(in: "/etc/hostname") == nil)
    }

    @Test func onlyWhatExistsAndIsNoDirectoryCounts() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("file", "x\n")
        try scratch.makeDirectory("directory")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/to-file", withDestinationPath: file)
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/to-directory", withDestinationPath: scratch.path + "/directory")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/dangling", withDestinationPath: "/nonexistent")
        #expect(mkfifo(scratch.path + "/fifo", 0o600) == 0)
        for name in ["file", "directory", "to-file", "to-directory", "dangling", "fifo", "missing"] {
            let path = scratch.path + "/" + name
            var isDirectory: ObjCBool = false
            let fileManagerSays =
                FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
            #expect(DirectoryListing.isNonDirectory(path) == fileManagerSays, "\(name)")
        }
        #expect(DirectoryListing.isNonDirectory(scratch.path + "/fifo"))
        #expect(!DirectoryListing.isNonDirectory(scratch.path + "/to-directory"))
    }

    @Test func discoverySkipsLinksToDirectoriesAndDanglingLinksAndFindsHiddenDefaults() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(".lbclient.conf", "load constant 5\n")
        try scratch.makeDirectory("elsewhere")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/lbclient.conf.a.cern.ch",
            withDestinationPath: scratch.path + "/elsewhere")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/lbclient.conf.b.cern.ch", withDestinationPath: "/nonexistent")
        try scratch.write("lbclient.conf.c.cern.ch", "load constant 1\n")
        try scratch.write("lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\nlbalias=c.cern.ch\n")
        var discovery = ConfigDiscovery(directory: scratch.path, aliasesFile: scratch.path + "/lbaliases")
        discovery.defaultName = ".lbclient.conf"
        let found = try discovery.discover()
        #expect(found.mappings.map(\.aliases) == [["c.cern.ch"], ["a.cern.ch", "b.cern.ch"]])
        #expect(found.mappings.map(\.path).last == scratch.path + "/.lbclient.conf")
    }

    @Test func aDirectoryThatCannotBeListedKeepsFileManagersMessage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let aliases = try scratch.write("lbaliases", "lbalias=a.cern.ch\n")
        let notADirectory = try scratch.write("plain", "x\n")
        for directory in [notADirectory, scratch.path + "/missing"] {
            var expected = ""
            do {
                _ = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                expected = "cannot read the configuration directory \(directory): \(reason(error))"
            }
            #expect(throws: DiscoveryError(expected)) {
                try ConfigDiscovery(directory: directory, aliasesFile: aliases).discover()
            }
        }
    }

    @Test func specificFilesAreOrderedByNameWhateverTheDirectoryOrder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = (0..<40).map { "n\(($0 * 7) % 40).example.org" }
        for name in names { try scratch.write("lbclient.conf.\(name)", "load constant 1\n") }
        try scratch.write("lbaliases", names.map { "lbalias=\($0)\n" }.joined())
        let found = try ConfigDiscovery(directory: scratch.path, aliasesFile: scratch.path + "/lbaliases")
            .discover()
        #expect(found.mappings.map { $0.aliases[0] } == names.sorted())
    }
}

@Suite("Key positions: linear search for few keys, a dictionary for many")
struct KeyPositionsTests {
    @Test(arguments: [3, KeyPositions.linearSearchLimit, KeyPositions.linearSearchLimit + 1, 200])
    func firstPositionsAreKeptAcrossTheSwitch(count: Int) {
        var positions = KeyPositions()
        var expected: [String: Int] = [:]
        var next = 0
        for index in 0..<count {
            for key in ["k\(index)", "k\(index / 2)"] {
                positions.appendIfNew(key)
                if expected[key] == nil {
                    expected[key] = next
                    next += 1
                }
            }
        }
        for (key, position) in expected { #expect(positions.position(of: key) == position, "\(key)") }
        #expect(positions.position(of: "absent") == nil)
    }

    @Test func aLongAliasListDropsRepeatsAsAShortOneDoes() {
        let names = (0..<100).map { "a\($0 % 60).cern.ch" }
        let text = names.map { "lbalias=\($0)\n" }.joined()
        var unique: [String] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        #expect(AliasListFile.parse(text) == unique)
    }
}
