import Foundation
import Testing

@testable import LBClientKit

@Suite("AFSCheck")
struct AFSCheckTests {
    private func run(root: String) async throws -> CheckResult {
        try await AFSCheck(line: CheckFixtures.line(.afs)).run(in: CheckFixtures.context(root: root))
    }

    @Test func passesWhenTheUserTreeExists() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.makeDirectory("afs/cern.ch/user")
        #expect(try await run(root: scratch.path) == .pass("/afs/cern.ch/user/ is reachable"))
    }

    @Test func failsWhenAFSIsNotMounted() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.makeDirectory("afs")
        #expect(
            try await run(root: scratch.path)
                == .fail("/afs/cern.ch/user/ does not exist: AFS is not mounted"))
    }

    @Test func otherErrorsCountAsPresent() async throws {
        // ENOTDIR, like any error but ENOENT, means something answered at that path.
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("afs/cern.ch/user", "a file, not a directory")
        let result = try await run(root: scratch.path)
        #expect(result.passed, "\(result.detail)")
    }

    @Test func statOffThreadReportsTheErrno() async throws {
        #expect(try await AFSCheck.statOffThread("/", timeout: .seconds(10)) == nil)
        #expect(try await AFSCheck.statOffThread("/nonexistent/afs", timeout: .seconds(10)) == ENOENT)
    }

    @Test func statOffThreadHonoursCancellation() async throws {
        let task = Task {
            // Cancelled before it starts: the answer must be a cancellation, whatever stat does.
            withUnsafeCurrentTask { $0?.cancel() }
            return try await AFSCheck.statOffThread("/", timeout: .seconds(10))
        }
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }
}
