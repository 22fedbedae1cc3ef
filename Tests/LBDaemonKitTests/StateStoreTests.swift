import DNS
import Foundation
import LBCore
import LBTestSupport
import Logging
import Synchronization
import Testing

@testable import LBDaemonKit

/// The state directory: the file format, atomic writes, a restart's reload, and what lbd does
/// with a state file that is missing, damaged or not its own, or a directory it cannot write.
@Suite struct StateStoreTests {
    static func name(_ text: String) -> DomainName { try! DomainName(parsing: text) }

    static let apex = ZoneApexTemplate(
        primaryServer: name("ns.lb.example."), responsibleMailbox: name("hostmaster.lb.example."),
        nameServers: [name("ns.lb.example.")])

    /// A zone of every record kind the file stores.
    static func zone(_ origin: String, serial: UInt32, addresses: [String] = ["192.0.2.1"]) -> Zone {
        let origin = name(origin)
        var records = [ResourceRecord(name: origin, ttl: 3600, data: .ns(name("ns.lb.example.")))]
        records += addresses.map { text in
            ResourceRecord(
                name: origin, ttl: 60,
                data: IPv4Address(text).map { .a($0) } ?? .aaaa(IPv6Address(text)!))
        }
        records.append(ResourceRecord(name: origin, ttl: 60, data: .txt([Array("lbd".utf8), []])))
        records.append(
            ResourceRecord(name: origin, ttl: 60, data: .unknown(RecordType(rawValue: 99), [1, 2, 255])))
        return try! Zone(origin: origin, soa: apex.soa(serial: serial), soaTTL: 3600, records: records)
    }

    static func directory() throws -> URL { try Peers.temporaryDirectory("lbd-state") }

    // MARK: the file

    @Test func aWriteIsReadBackWholeAndLeavesNoTemporaryFile() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(StateFile.name).path
        let zones = [Self.zone("www.lb.example.", serial: 7, addresses: ["192.0.2.1", "2001:db8::1"])]
        let state = PublishedState(
            zones: try zones.map { try StoredZone($0) },
            publications: [
                StoredPublication(
                    alias: "www.lb.example", target: "internal view", addresses: [NodeAddress("192.0.2.9")!],
                    ttl: 60)
            ])
        try StateFile.write(state, to: path)
        // Written again over the old file, as at each change.
        try StateFile.write(state, to: path)
        let read = try #require(try StateFile.read(path))
        #expect(read == state)
        #expect(try read.zones.map { try $0.zone() } == zones)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [StateFile.name])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
        // Versioned, readable JSON.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"version\" : 1"))
        #expect(text.contains("\"data\" : \"2001:db8::1\""))
    }

    @Test func aMissingFileIsAFirstStart() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try StateFile.read(directory.appendingPathComponent(StateFile.name).path) == nil)
    }

    @Test func aWriteIntoADirectoryThatIsNotOneFailsNamingTheFileAndKeepsTheOldFile() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A regular file where the directory should be: no write can succeed, even as root.
        let blocker = directory.appendingPathComponent("not-a-directory")
        try Data().write(to: blocker)
        let path = blocker.appendingPathComponent(StateFile.name).path
        #expect {
            try StateFile.write(PublishedState(), to: path)
        } throws: { error in
            guard case .unwritable(let failed, let reason)? = error as? StateFileError else { return false }
            return failed == path && reason.contains("Not a directory")
        }
    }

    static let valid: String = {
        let state = PublishedState(zones: [storedZone])
        return String(decoding: try! StateFile.encode(state), as: UTF8.self)
    }()

    /// Damaged and foreign files, and the error each gives.
    static let bad: [(String, String)] = [
        ("", "not lbd's state"),
        (String(valid.prefix(valid.count / 2)), "not lbd's state"),
        ("\u{0}\u{1}garbage", "not lbd's state"),
        ("{\"foo\": 1}", "missing 'version'"),
        ("[1, 2, 3]", "not lbd's state"),
        ("{\"version\": 2, \"zones\": []}", "format version 2"),
        ("{\"version\": 1}", "missing 'zones'"),
        (valid.replacingOccurrences(of: "192.0.2.1", with: "192.0.2.300"), "not an IPv4 address"),
        (valid.replacingOccurrences(of: "\"A\"", with: "\"SOA\""), "unknown record type"),
        (
            valid.replacingOccurrences(
                of: "\"origin\" : \"www.lb.example.\"", with: "\"origin\" : \"other.example.\""),
            "not in the zone"
        ),
        (valid.replacingOccurrences(of: "\"serial\" : 42", with: "\"serial\" : -1"), "not lbd's state"),
        (
            String(
                decoding: try! StateFile.encode(PublishedState(zones: [storedZone, storedZone])),
                as: UTF8.self),
            "appears twice"
        ),
    ]

    static let storedZone = try! StoredZone(zone("www.lb.example.", serial: 42))

    @Test func damagedAndForeignFilesAreRefusedWithAReason() throws {
        let path = "/var/lib/lbd/published-state.json"
        for (text, reason) in Self.bad {
            do {
                _ = try StateFile.decode(Data(text.utf8), path: path)
                Issue.record("accepted; expected: \(reason)")
            } catch {
                #expect(error.description.contains(path) && error.description.contains(reason), "\(error)")
            }
        }
        #expect(try StateFile.decode(Data(Self.valid.utf8), path: "x").zones.count == 1)
    }

    @Test func randomAndMutatedInputGivesAnErrorOrAValidStateNeverACrash() throws {
        var random = SeededRandomNumberGenerator(seed: 2024)
        let valid = Array(Self.valid.utf8)
        var refused = 0
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round.isMultiple(of: 3) {
                bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                    case 1:
                        bytes.removeSubrange(
                            index..<min(bytes.count, index + Int.random(in: 1...20, using: &random)))
                    default: bytes.insert(UInt8.random(in: 0x20...0x7E, using: &random), at: index)
                    }
                    if bytes.isEmpty { break }
                }
            }
            do {
                let state = try StateFile.decode(Data(bytes), path: "fuzz")
                // Whatever is accepted is fully usable.
                for zone in state.zones { _ = try zone.zone() }
            } catch {
                refused += 1
                #expect("\(error)".contains("fuzz"))
            }
        }
        #expect(refused > 1000)
    }

    @Test func deeplyNestedJSONIsRefused() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: StateFileError.self) { try StateFile.decode(Data(text.utf8), path: "deep") }
    }

    // MARK: the store

    @Test func aStoreWritesEachChangeAndARestartReadsItBack() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = CapturedLog()
        let first = StateStore(directory: directory.path, logger: log.logger)
        #expect(first.load().isEmpty)
        #expect(log.contains(.notice, "first start"))
        let zones = [
            Self.zone("www.lb.example.", serial: 10), Self.zone("api.lb.example.", serial: 20, addresses: []),
        ]
        for count in 1...zones.count {
            first.setZones(Dictionary(uniqueKeysWithValues: zones.prefix(count).map { ($0.origin, $0) }))
        }
        first.record(
            StoredPublication(alias: "www.lb.example", target: "internal view", addresses: [], ttl: nil))
        await first.flush()
        #expect(first.writes >= 1)

        let second = StateStore(directory: directory.path, logger: log.logger)
        let loaded = second.load()
        #expect(Set(loaded) == Set(zones))
        #expect(second.publications.map(\.alias) == ["www.lb.example"])
        #expect(log.contains(.notice, "2 zone(s)"))
    }

    @Test func aDamagedFileIsLoggedNamingItAndLbdStartsEmpty() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(StateFile.name).path
        try String(Self.valid.prefix(100)).write(toFile: path, atomically: true, encoding: .utf8)
        let log = CapturedLog()
        let store = StateStore(directory: directory.path, logger: log.logger)
        #expect(store.load().isEmpty)
        #expect(log.contains(.error, path))
        #expect(log.contains(.error, "starting without the published state"))
        // The next change replaces the damaged file.
        store.setZones([Self.name("www.lb.example."): Self.zone("www.lb.example.", serial: 3)])
        await store.flush()
        #expect(try StateFile.read(path)?.zones.count == 1)
    }

    @Test func anUnwritableDirectoryIsLoggedOnceAndTheStateKeptInMemory() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocker = directory.appendingPathComponent("state")
        try Data().write(to: blocker)
        let log = CapturedLog()
        let store = StateStore(directory: blocker.path, logger: log.logger)
        #expect(store.load().isEmpty)
        let zone = Self.zone("www.lb.example.", serial: 3)
        store.setZones([zone.origin: zone])
        await store.flush()
        store.setZones([zone.origin: zone.withSerial(4)])
        await store.flush()
        #expect(store.writes == 0)
        #expect(store.zones[zone.origin]?.soa.serial == 4)
        let errors = log.all.filter { $0.hasPrefix("error ") && $0.contains("cannot write the state file") }
        #expect(errors.count == 1, "\(log.all)")
        #expect(errors.first?.contains(blocker.appendingPathComponent(StateFile.name).path) == true)
    }

    @Test func changesDoNotWaitForTheDiskAndTheNewestStateIsWritten() async throws {
        let written = WrittenStates()
        let released = Mutex(false)
        let store = StateStore(
            directory: "/nonexistent", logger: CapturedLog().logger,
            writer: { state, _ in
                // The disk hangs until the test has made every change (bounded, 10 s).
                for _ in 0..<1000 where !released.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
                written.append(state)
            })
        for serial in UInt32(1)...50 {
            let zone = Self.zone("www.lb.example.", serial: serial)
            store.setZones([zone.origin: zone])
        }
        // Every change returned while the first write was still hanging.
        #expect(written.all.isEmpty)
        released.withLock { $0 = true }
        await store.flush()
        let states = written.all
        #expect(states.count <= 2, "the changes made during a write are written together")
        #expect(states.last?.zones.first?.serial == 50)
    }
}

/// The states a test writer was given.
final class WrittenStates: Sendable {
    private let states = Mutex<[PublishedState]>([])
    func append(_ state: PublishedState) { states.withLock { $0.append(state) } }
    var all: [PublishedState] { states.withLock { $0 } }
}
