import Synchronization
import Testing

@testable import LBClientKit

/// Counts the socket table reads of the snapshots it makes; the reads themselves are the real ones.
final class CountingSocketTableReader: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func snapshot() -> SocketTableSnapshot {
        SocketTableSnapshot { table in
            self.counts.withLock { $0[table.path, default: 0] += 1 }
            return SocketTableSnapshot.read(table)
        }
    }

    /// Reads per table, by file name (`tcp`, `udp6`).
    var reads: [String: Int] {
        counts.withLock { counts in
            Dictionary(
                uniqueKeysWithValues: counts.map { (String($0.key.split(separator: "/").last!), $0.value) })
        }
    }
}

@Suite("Socket table snapshot")
struct SocketTableSnapshotTests {
    /// Three daemon checks (25 only in `tcp`; 631 only in `tcp6`; 53/udp) in each of two alias files.
    private func writeNode(_ scratch: Scratch, tcp: String = ProcNetFixtures.tcp) throws {
        try scratch.write("proc/net/tcp", tcp)
        try scratch.write("proc/net/tcp6", ProcNetFixtures.tcp6)
        try scratch.write("proc/net/udp", ProcNetFixtures.udp)
        let file = """
            check daemon {"port": 25, "protocol": "tcp"}
            check daemon {"port": 631, "protocol": "tcp"}
            check daemon {"port": 53, "protocol": "udp"}
            load constant 100

            """
        try scratch.write("etc/lbclient.conf.a.cern.ch", file)
        try scratch.write("etc/lbclient.conf.b.cern.ch", file)
        try scratch.write("etc/lbaliases", "lbalias=a.cern.ch\nlbalias=b.cern.ch\n")
    }

    private func evaluator(_ scratch: Scratch, _ counter: CountingSocketTableReader) -> ClientEvaluator {
        var evaluator = ClientEvaluator(
            discovery: ConfigDiscovery(
                directory: scratch.path + "/etc", aliasesFile: scratch.path + "/etc/lbaliases"),
            system: SystemEnvironment(root: scratch.path))
        evaluator.makeSocketTables = { counter.snapshot() }
        return evaluator
    }

    @Test func everyDaemonCheckOfEveryFileSharesOneReadPerTable() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try writeNode(scratch)
        let counter = CountingSocketTableReader()
        let report = try await evaluator(scratch, counter).evaluate()
        #expect(report.answer.value == "a.cern.ch=100,b.cern.ch=100")
        // udp6 is never read: 53/udp is found in udp first, in both files.
        #expect(counter.reads == ["tcp": 1, "tcp6": 1, "udp": 1])
    }

    @Test func eachEvaluationReadsTheTablesAgain() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try writeNode(scratch)
        let counter = CountingSocketTableReader()
        let evaluator = evaluator(scratch, counter)
        #expect(try await evaluator.evaluate().answer.value == "a.cern.ch=100,b.cern.ch=100")
        // The mail server stops listening: the next evaluation must see it.
        let withoutMail = ProcNetFixtures.tcp.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("0100007F:0019") }.joined(separator: "\n")
        try scratch.write("proc/net/tcp", withoutMail)
        let second = try await evaluator.evaluate()
        #expect(second.answer.value == "a.cern.ch=-17,b.cern.ch=-17")
        #expect(second.files[0].reason.contains("nothing accepts traffic on tcp port 25"))
        #expect(counter.reads["tcp"] == 2)
    }

    @Test func checksAskingAtOnceWaitForOneRead() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("proc/net/tcp", ProcNetFixtures.tcp)
        let counter = CountingSocketTableReader()
        let snapshot = counter.snapshot()
        let table = SocketTableSnapshot.Table(
            path: scratch.path + "/proc/net/tcp", transport: .tcp, family: .ipv4, isLive: false)
        let ports = await withTaskGroup(of: [UInt16].self) { group in
            for _ in 0..<20 {
                group.addTask {
                    guard case .sockets(let sockets) = snapshot.sockets(in: table) else { return [] }
                    return sockets.map(\.port)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(ports.count == 20)
        #expect(ports.allSatisfy { $0 == [22, 25, 8081] })
        #expect(counter.reads == ["tcp": 1])
    }

    @Test func aMissingTableIsReadOnceAndStaysMissing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let counter = CountingSocketTableReader()
        let snapshot = counter.snapshot()
        let table = SocketTableSnapshot.Table(
            path: scratch.path + "/proc/net/tcp6", transport: .tcp, family: .ipv6, isLive: false)
        for _ in 0..<3 {
            guard case .unreadable(let error) = snapshot.sockets(in: table) else {
                Issue.record("a missing table gave sockets")
                return
            }
            #expect(error.isMissing)
            #expect(
                error.description == "cannot read \(scratch.path)/proc/net/tcp6: No such file or directory")
        }
        #expect(counter.reads == ["tcp6": 1])
    }
}
