import Foundation
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// golbd's heartbeat file: the line, the atomic write, and finding the master's line in a body
/// fetched from the network.
@Suite struct HeartbeatFileTests {
    static let time = Date(timeIntervalSince1970: 1_700_000_000.75)

    static func directory() throws -> String { try Peers.temporaryDirectory("lbd-heartbeat").path }

    // MARK: the line

    @Test func theLineIsGolbdsWithWholeSecondsRoundedDown() {
        #expect(
            HeartbeatFile.line(host: "lbd75.cern.ch", at: Self.time)
                == "lbd75.cern.ch : 1700000000 : I am alive\n")
    }

    // MARK: the write

    @Test func aWriteReplacesTheFileWithOneLineMode0644AndLeavesNoTemporaryFile() throws {
        let directory = try Self.directory()
        let file = try HeartbeatFile(directory: directory, name: "heartbeat")
        try file.write(host: "lbd-a", at: Self.time)
        try file.write(host: "lbd-a", at: Self.time.addingTimeInterval(10))

        // Truncated, not appended (golbd's O_APPEND fault): exactly the last line.
        #expect(try String(contentsOfFile: file.path, encoding: .utf8) == "lbd-a : 1700000010 : I am alive\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["heartbeat"])
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
    }

    @Test func aFailedWriteNamesTheFileAndLeavesNothingBehind() throws {
        let directory = try Self.directory()
        let missing = "\(directory)/no-such-directory"
        let file = try HeartbeatFile(directory: missing, name: "heartbeat")
        #expect(throws: HeartbeatFileError.self) { try file.write(host: "lbd-a", at: Self.time) }
        do {
            try file.write(host: "lbd-a", at: Self.time)
        } catch {
            guard case .unwritable(let path, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "\(missing)/heartbeat")
            #expect(error.description.contains("\(missing)/heartbeat"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test(arguments: ["", ".", "..", "a/b", "../heartbeat"])
    func aNameThatIsNotAPlainFileNameIsRefused(_ name: String) {
        #expect(throws: HeartbeatFileError.invalidName(name)) {
            try HeartbeatFile(directory: "/tmp", name: name)
        }
    }

    // MARK: matching

    @Test func aLineGolbdWroteMatchesWithItsTimestamp() {
        let body = HeartbeatFile.line(host: "lbd75.cern.ch", at: Self.time)
        #expect(HeartbeatFile.match(body: body, master: "lbd75.cern.ch") == 1_700_000_000)
        // Unanchored, as golbd's regular expression: surrounding text does not matter.
        #expect(
            HeartbeatFile.match(body: "<pre>\nlbd75.cern.ch : 42 : I am alive</pre>", master: "lbd75.cern.ch")
                == 42)
        // golbd's O_APPEND leftover: several lines, the first one counts.
        let appended = "lbd75.cern.ch : 1 : I am alive\nlbd75.cern.ch : 2 : I am alive\n"
        #expect(HeartbeatFile.match(body: appended, master: "lbd75.cern.ch") == 1)
    }

    @Test func theFirstCompleteLineOfTheMasterCountsEvenAfterAPartialOne() {
        let body =
            "lbd75.cern.ch : 12x : I am alive lbd75.cern.ch : : I am alive lbd75.cern.ch : 7 : I am alive"
        #expect(HeartbeatFile.match(body: body, master: "lbd75.cern.ch") == 7)
    }

    @Test func anotherMastersLineDoesNotMatch() {
        let body = HeartbeatFile.line(host: "lbd76.cern.ch", at: Self.time)
        #expect(HeartbeatFile.match(body: body, master: "lbd75.cern.ch") == nil)
        // The master's name is taken literally: a dot is no wildcard.
        #expect(HeartbeatFile.match(body: "lbd75xcern.ch : 5 : I am alive", master: "lbd75.cern.ch") == nil)
    }

    @Test(arguments: [
        "", "I am alive", "<html><body><h1>404 Not Found</h1></body></html>",
        "lbd75.cern.ch : 1700000000 : I am dead", "lbd75.cern.ch :  1700000000 : I am alive",
        "lbd75.cern.ch : -5 : I am alive", "lbd75.cern.ch : ١٢ : I am alive", "\u{0}\u{FFFD}lbd75",
    ])
    func garbageDoesNotMatch(_ body: String) {
        #expect(HeartbeatFile.match(body: body, master: "lbd75.cern.ch") == nil)
    }

    @Test func digitsBeyond64BitsDoNotMatch() {
        #expect(HeartbeatFile.match(body: "m : 9223372036854775807 : I am alive", master: "m") == Int64.max)
        #expect(HeartbeatFile.match(body: "m : 9223372036854775808 : I am alive", master: "m") == nil)
        #expect(
            HeartbeatFile.match(body: "m : \(String(repeating: "9", count: 3000)) : I am alive", master: "m")
                == nil)
    }

    @Test func onlyTheFirst4KiBOfAHugeBodyAreLookedAt() {
        let line = "m : 5 : I am alive"
        let early = line + String(repeating: "x", count: 1 << 20)
        #expect(HeartbeatFile.match(body: early, master: "m") == 5)
        let late = String(repeating: "x", count: HeartbeatFile.bodyLimit - 3) + line
        #expect(HeartbeatFile.match(body: late, master: "m") == nil)
        let huge = String(repeating: "m : ", count: 1 << 18)
        #expect(HeartbeatFile.match(body: huge, master: "m") == nil)
    }
}
