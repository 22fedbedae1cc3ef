import Foundation
import Testing

@testable import LBClientKit

@Suite("TmpFullCheck")
struct TmpFullCheckTests {
    typealias Usage = TmpFullCheck.Usage

    @Test func passesOnARealFileSystem() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.makeDirectory("tmp")
        let result = try await TmpFullCheck(line: CheckFixtures.line(.tmpfull)).run(
            in: CheckFixtures.context(root: scratch.path))
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail.hasPrefix("/tmp: "))
    }

    @Test func missingDirectoryIsAnError() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        await #expect(throws: CheckError.self) {
            _ = try await TmpFullCheck(line: CheckFixtures.line(.tmpfull)).run(
                in: CheckFixtures.context(root: scratch.path))
        }
    }

    @Test func blockThreshold() {
        // 1 - available/total: 89.9 % passes, 90 % fails.
        #expect(!Usage(totalBlocks: 1000, availableBlocks: 101, totalInodes: 100, freeInodes: 100).isFull)
        #expect(Usage(totalBlocks: 1000, availableBlocks: 100, totalInodes: 100, freeInodes: 100).isFull)
        #expect(Usage(totalBlocks: 1000, availableBlocks: 0, totalInodes: 100, freeInodes: 100).isFull)
    }

    @Test func inodeThreshold() {
        #expect(!Usage(totalBlocks: 1000, availableBlocks: 1000, totalInodes: 1000, freeInodes: 51).isFull)
        #expect(Usage(totalBlocks: 1000, availableBlocks: 1000, totalInodes: 1000, freeInodes: 50).isFull)
    }

    @Test func fileSystemsWithoutCountsAreNotFull() {
        // btrfs and unlimited tmpfs report 0 inodes; golbclient divided by zero and failed.
        let noInodes = Usage(totalBlocks: 1000, availableBlocks: 500, totalInodes: 0, freeInodes: 0)
        #expect(noInodes.inodesUsed == nil)
        #expect(!noInodes.isFull)
        #expect(noInodes.summary == "blocks 50.0 % used (limit 90 %), no inode limit (limit 95 %)")
        let nothing = Usage(totalBlocks: 0, availableBlocks: 0, totalInodes: 0, freeInodes: 0)
        #expect(!nothing.isFull)
        // A full file system without inode counts is still full.
        #expect(Usage(totalBlocks: 1000, availableBlocks: 5, totalInodes: 0, freeInodes: 0).isFull)
    }
}
