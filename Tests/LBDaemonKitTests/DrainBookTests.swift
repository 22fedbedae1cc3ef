import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// The drains file: add, replace, remove, list, expiry by the injected clock, the audit log,
/// writers that run at once, and files that are damaged, foreign or random.
@Suite struct DrainBookTests {
    private func withBook(
        _ clock: TestUnixClock = TestUnixClock(), _ body: (DrainBook, URL) throws -> Void
    ) throws {
        let directory = try Peers.temporaryDirectory("lbd-drains")
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(
            DrainBook(stateDirectory: directory.appendingPathComponent("state").path, unixTime: clock.read),
            directory)
    }

    @Test func aDrainIsAddedReplacedByTheSameNodeAndAliasAndRemoved() throws {
        let clock = TestUnixClock()
        try withBook(clock) { book, _ in
            let now = clock.now
            try book.add(
                Drain(node: "n1", by: "alice", reason: "kernel upgrade", since: now, until: now + 3600))
            try book.add(Drain(node: "n1", alias: "www.example", by: "bob", reason: "disk", since: now))
            try book.add(Drain(node: "n2", by: "bob", reason: "memory", since: now))
            // Same node (other case, trailing dot) and same scope: replaces.
            let change = try book.add(
                Drain(
                    node: "N1.", by: "carol", reason: "kernel upgrade, again", since: now, until: now + 7200))
            #expect(change.replaced?.by == "alice")
            // A fresh book reads what the first wrote.
            let again = DrainBook(stateDirectory: book.directory, unixTime: clock.read)
            let drains = try again.load()
            #expect(drains.count == 3)
            #expect(drains.first { $0.alias == nil && $0.by == "carol" }?.until == now + 7200)
            #expect(drains.contains { $0.alias == "www.example" && $0.by == "bob" })
            // Undrain one alias only, then every drain of a node.
            let one = try again.remove(node: "n1", alias: "WWW.example", by: "dave")
            #expect(one.removed.map(\.alias) == ["www.example"])
            let all = try again.remove(node: "n1", by: "dave")
            #expect(all.removed.count == 1)
            let none = try again.remove(node: "n9", by: "dave")
            #expect(none.removed.isEmpty)
            #expect(try DrainBook(stateDirectory: book.directory).load().map(\.node) == ["n2"])
            // The listing shows the drains in force, with who, why and what is left.
            try again.add(
                Drain(
                    node: "n3", alias: "api.example", by: "eve", reason: "reboot", since: now,
                    until: now + 5400))
            let table = DrainListing.table(again.drains, now: now)
            #expect(table.contains("all aliases"), "\(table)")
            #expect(table.contains("1h 30m"), "\(table)")
            #expect(table.contains("undrained"), "\(table)")
            let json = try InstanceStatus.makeDecoder().decode(
                DrainListing.Document.self, from: Data(DrainListing.json(again.drains, now: now).utf8))
            #expect(json.drains.map(\.node) == ["n2", "n3"])
            #expect(json.drains[1].remaining == 5400)
            #expect(json.drains[1].explanation == "drained by eve: reboot")
            // Every change is an audit line.
            let audit = try auditLines(book)
            #expect(audit.map(\.action) == [.drain, .drain, .drain, .drain, .undrain, .undrain, .drain])
            #expect(audit[4].by == "dave" && audit[4].alias == "www.example")
            #expect(audit[3].by == "carol" && audit[3].until == now + 7200)
        }
    }

    @Test func anExpiredDrainIsNotInForceAndIsDroppedAtTheNextWriteWithAnAuditLine() throws {
        let clock = TestUnixClock()
        try withBook(clock) { book, _ in
            let now = clock.now
            try book.add(
                Drain(node: "n1", by: "alice", reason: "kernel upgrade", since: now, until: now + 60))
            #expect(book.activeDrains(at: now + 59).count == 1)
            #expect(book.activeDrains(at: now + 60).isEmpty)
            clock.advance(60)
            #expect(DrainListing.entries(book.drains, now: clock.now).isEmpty)
            #expect(try book.pruneExpired().map(\.node) == ["n1"])
            #expect(try DrainBook(stateDirectory: book.directory).load().isEmpty)
            #expect(try book.pruneExpired().isEmpty)
            let audit = try auditLines(book)
            #expect(audit.map(\.action) == [.drain, .expired])
            #expect(audit[1].time == now + 60)
        }
    }

    @Test func writersAtOnceLoseNothing() async throws {
        let directory = try Peers.temporaryDirectory("lbd-drains")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path
        // One book per writer, so that each takes the lock through its own descriptor as
        // separate processes do.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    try await offThePool {
                        let book = DrainBook(stateDirectory: path)
                        for index in 0..<15 {
                            try book.add(
                                Drain(
                                    node: "w\(writer)-n\(index)", by: "w\(writer)", reason: "test", since: 1))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let book = DrainBook(stateDirectory: path)
        #expect(try book.load().count == 120)
        #expect(try auditLines(book).count == 120)
    }

    @Test func aDamagedFileIsAnErrorNamingItAndTheDrainsHeldStay() throws {
        try withBook { book, _ in
            try book.add(Drain(node: "n1", by: "alice", reason: "kernel upgrade", since: 1))
            let cases: [(String, Data, String)] = [
                ("garbage", Data("not json at all".utf8), "not lbd's"),
                ("truncated", Data("{\"version\": 1, \"drains\": [{\"node\": \"n1\"".utf8), "not lbd's"),
                ("future", Data("{\"version\": 9, \"drains\": []}".utf8), "format version 9"),
                (
                    "empty node",
                    Data(
                        "{\"version\":1,\"drains\":[{\"node\":\"\",\"by\":\"a\",\"reason\":\"r\",\"since\":1}]}"
                            .utf8), "node is empty"
                ),
                ("huge", Data(repeating: 0x20, count: DrainFile.sizeLimit + 1), "more than the"),
            ]
            for (name, bytes, expected) in cases {
                try bytes.write(to: URL(fileURLWithPath: book.path))
                do throws(DrainBookError) {
                    try book.load()
                    Issue.record("\(name): accepted")
                } catch {
                    #expect(error.description.contains(book.path), "\(name): \(error)")
                    #expect(error.description.contains(expected), "\(name): \(error)")
                }
                #expect(book.drains.map(\.node) == ["n1"], "\(name)")
                // A write refuses to replace what it cannot read, rather than lose drains.
                #expect(throws: DrainBookError.self, "\(name)") {
                    try book.add(Drain(node: "n2", by: "bob", reason: "r", since: 1))
                }
            }
        }
    }

    @Test func randomBytesNeverCrashTheReader() throws {
        var random = SeededRandomNumberGenerator(seed: 16)
        let valid = Array(
            DrainFile.encode([
                Drain(
                    node: "n1", alias: "www.example", by: "alice", reason: "kernel upgrade", since: 1,
                    until: 99)
            ]))
        for round in 0..<2_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(
                        in: 0...255, using: &random)
                }
            }
            do {
                let drains = try DrainFile.decode(Data(bytes), path: "fuzz")
                #expect(drains.allSatisfy { DrainFile.problem(with: $0) == nil })
            } catch {
                #expect(error.description.contains("fuzz"))
            }
        }
    }

    @Test func durationsReadAsTheOperatorWritesThem() throws {
        #expect(try DrainDuration.seconds("30m") == 1800)
        #expect(try DrainDuration.seconds("1h") == 3600)
        #expect(try DrainDuration.seconds("2h30m") == 9000)
        #expect(try DrainDuration.seconds("1d") == 86_400)
        #expect(try DrainDuration.seconds("1d12h") == 129_600)
        #expect(try DrainDuration.seconds("90s") == 90)
        #expect(try DrainDuration.seconds("120") == 120)
        for bad in ["", "h", "-1h", "0s", "1y", "2h-30m", "400d", "1.5.5h"] {
            #expect(throws: DrainBookError.self, "\(bad)") { try DrainDuration.seconds(bad) }
        }
    }

    @Test func filesMadeByRootBelongToTheStateDirectorysOwner() throws {
        guard geteuid() == 0 else { return }  // only root can give files away
        let directory = try Peers.temporaryDirectory("lbd-drains")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(chown(directory.path, 65534, 65534) == 0)
        let book = DrainBook(stateDirectory: directory.path)
        try book.add(Drain(node: "n1", by: "alice", reason: "r", since: 1))
        for path in [book.path, book.auditPath, book.lockPath] {
            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_uid == 65534, "\(path)")
        }
    }

    @Test func aLockMadeByRootForARefusedChangeStillBelongsToTheStateDirectorysOwner() throws {
        guard geteuid() == 0 else { return }  // only root can give files away
        let directory = try Peers.temporaryDirectory("lbd-drains")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(chown(directory.path, 65534, 65534) == 0)
        let book = DrainBook(stateDirectory: directory.path)
        // A damaged file: `lbd drain` refuses it, after taking the lock.
        try Data("{".utf8).write(to: URL(fileURLWithPath: book.path))
        #expect(throws: DrainBookError.self) {
            try book.add(Drain(node: "n1", by: "alice", reason: "r", since: 1))
        }
        var status = stat()
        #expect(stat(book.lockPath, &status) == 0)
        // Left to root, lbd's user could never take the lock again to prune an expired drain.
        #expect(status.st_uid == 65534)
    }

    @Test func anUnwritableStateDirectoryIsAnErrorSayingWhatToDo() throws {
        guard geteuid() != 0 else { return }  // root writes anywhere
        let directory = try Peers.temporaryDirectory("lbd-drains")
        defer {
            chmod(directory.path, 0o755)
            try? FileManager.default.removeItem(at: directory)
        }
        chmod(directory.path, 0o555)
        let book = DrainBook(stateDirectory: directory.path)
        do throws(DrainBookError) {
            try book.add(Drain(node: "n1", by: "alice", reason: "r", since: 1))
            Issue.record("written")
        } catch {
            #expect(error.description.contains(directory.path), "\(error)")
            #expect(error.description.contains("--state-dir"), "\(error)")
        }
    }
}
