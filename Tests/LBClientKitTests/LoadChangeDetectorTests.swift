import Testing

@testable import LBClientKit

/// When the node's answer is worth telling lbd about at once.
@Suite("Load change detector")
struct LoadChangeDetectorTests {
    typealias Change = LoadChangeDetector.Change

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var previous: PassAnswer?
        var current: PassAnswer?
        var share: Double? = 0.2
        var expected: [Change]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "nothing known, nothing found", previous: nil, current: nil, expected: []),
        Case(
            name: "first answer: the node appears", previous: nil, current: .integer(250),
            expected: [.appeared(alias: NodeLoads.wholeNode, load: 250)]),
        Case(name: "same answer", previous: .integer(250), current: .integer(250), expected: []),
        Case(
            name: "drained", previous: .integer(250), current: .integer(-1),
            expected: [.becameUnusable(alias: "", load: -1)]),
        Case(
            name: "back", previous: .integer(-1), current: .integer(3),
            expected: [.becameUsable(alias: "", load: 3)]),
        Case(
            name: "one failure code for another", previous: .integer(-1), current: .integer(-13), expected: []
        ),
        Case(
            name: "zero is unusable", previous: .integer(5), current: .integer(0),
            expected: [.becameUnusable(alias: "", load: 0)]),
        Case(
            name: "above 99999 is unusable", previous: .integer(99_999), current: .integer(100_000),
            expected: [.becameUnusable(alias: "", load: 100_000)]),
        Case(
            name: "a move of exactly the share is not", previous: .integer(100), current: .integer(120),
            expected: []),
        Case(
            name: "a move over the share up", previous: .integer(100), current: .integer(121),
            expected: [.loadMoved(alias: "", from: 100, to: 121)]),
        Case(
            name: "a move over the share down", previous: .integer(100), current: .integer(79),
            expected: [.loadMoved(alias: "", from: 100, to: 79)]),
        Case(name: "a small move", previous: .integer(100), current: .integer(81), expected: []),
        Case(
            name: "moves ignored when off", previous: .integer(100), current: .integer(900), share: nil,
            expected: []),
        Case(
            name: "flips still count when moves are off", previous: .integer(100), current: .integer(-2),
            share: nil, expected: [.becameUnusable(alias: "", load: -2)]),
        Case(
            name: "any move at 0%", previous: .integer(100), current: .integer(101), share: 0,
            expected: [.loadMoved(alias: "", from: 100, to: 101)]),
        Case(
            name: "per alias: one of two drained",
            previous: .perAlias([("a", 10), ("b", 10)]), current: .perAlias([("a", 10), ("b", -1)]),
            expected: [.becameUnusable(alias: "b", load: -1)]),
        Case(
            name: "per alias: appears and disappears",
            previous: .perAlias([("a", 10), ("b", 10)]), current: .perAlias([("a", 10), ("c", 10)]),
            expected: [.appeared(alias: "c", load: 10), .disappeared(alias: "b")]),
        Case(
            name: "configuration lost", previous: .perAlias([("a", 10)]), current: nil,
            expected: [.disappeared(alias: "a")]),
        Case(
            name: "one file becomes several",
            previous: .integer(10), current: .perAlias([("a", 10), ("b", 10)]),
            expected: [
                .appeared(alias: "a", load: 10), .appeared(alias: "b", load: 10), .disappeared(alias: ""),
            ]),
        Case(
            name: "order of aliases does not matter",
            previous: .perAlias([("a", 10), ("b", 20)]), current: .perAlias([("b", 20), ("a", 10)]),
            expected: []),
    ]

    @Test(arguments: cases)
    func detects(_ example: Case) {
        let detector = LoadChangeDetector(loadShare: example.share)
        #expect(
            detector.changes(from: NodeLoads(example.previous), to: NodeLoads(example.current))
                == example.expected)
    }

    @Test func theDefaultShareIsHalf() {
        let detector = LoadChangeDetector()
        #expect(detector.changes(from: NodeLoads(.integer(10)), to: NodeLoads(.integer(15))).isEmpty)
        #expect(detector.changes(from: NodeLoads(.integer(10)), to: NodeLoads(.integer(16))).count == 1)
    }

    @Test func aRepeatedAliasKeepsItsFirstLoad() {
        #expect(NodeLoads(.perAlias([("a", 1), ("a", 2)])).load(of: "a") == 1)
        #expect(NodeLoads(.perAlias([("a", 1), ("a", 2)])).entries.count == 1)
    }

    @Test func inotifyRecordsAreParsedAndACutRecordEndsTheList() {
        func record(watch: UInt32, mask: UInt32, name: String, padTo: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            for word in [watch, mask, 0, UInt32(padTo)] { withUnsafeBytes(of: word) { bytes += $0 } }
            return bytes + Array(name.utf8) + [UInt8](repeating: 0, count: padTo - name.utf8.count)
        }
        let bytes =
            record(watch: 1, mask: 0x100, name: "nologin", padTo: 16)
            + record(watch: 2, mask: 0x200, name: "", padTo: 0)
            + record(watch: 3, mask: 0x100, name: "iss.nologin", padTo: 16).dropLast(4)
        #expect(
            InotifyEvent.parse(bytes[...]) == [
                InotifyEvent(watch: 1, mask: 0x100, name: "nologin"),
                InotifyEvent(watch: 2, mask: 0x200, name: ""),
            ])
        #expect(InotifyEvent.parse([1, 2, 3][...]).isEmpty)
    }

    @Test func watchedDirectoriesMatchNologinFilesOnly() {
        let directories = BackgroundEvaluation.directoriesToWatch(
            system: SystemEnvironment(root: "/srv/node"),
            discovery: ConfigDiscovery(directory: "/usr/local/etc/", aliasesFile: "/usr/local/etc/lbaliases"))
        let etc = directories[0]
        #expect(etc.path == "/srv/node/etc")
        for name in ["nologin", "iss.nologin", "iss.nologin.a.example.org"] { #expect(etc.matches(name)) }
        for name in ["passwd", "nologin.swp", "resolv.conf"] { #expect(!etc.matches(name)) }
        #expect(directories[1].matches("lbclient.conf.a.example.org"))
        #expect(directories[2] == FileChangeWatcher.Directory(path: "/usr/local/etc", names: ["lbaliases"]))
    }
}
