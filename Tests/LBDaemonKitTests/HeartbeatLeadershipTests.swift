import Foundation
import Hummingbird
import LBTestSupport
import Logging
import NIOCore
import Synchronization
import Testing

@testable import LBDaemonKit

/// Heartbeat leadership end to end: a master writing the heartbeat file into a temporary
/// directory, a real HTTP server on loopback serving it as golbd's Apache did, and a standby
/// reading it, with intervals of a fraction of a second.
@Suite struct HeartbeatLeadershipTests {
    static let fileName = "heartbeat"

    /// A wall clock the test can move forward, shared by master and standby.
    final class TestClock: Sendable {
        private let offset = Mutex<Double>(0)
        func advance(by seconds: Double) { offset.withLock { $0 += seconds } }
        var now: @Sendable () -> Date { { Date().addingTimeInterval(self.offset.withLock { $0 }) } }
    }

    /// Serves the heartbeat directory at `/load-balancing/<name>` and a 10 KiB page at
    /// `/load-balancing/big`, on 127.0.0.1.
    struct FileServer {
        let task: Task<Void, any Error>
        let port: Int

        static func start(directory: String, port: Int = 0) async throws -> FileServer {
            let router = Router()
            router.get("load-balancing/big") { _, _ in
                String(repeating: "lbd-a : 1 : I am alive ", count: 500)
            }
            router.get("load-balancing/:file") { _, context -> Response in
                let name = try context.parameters.require("file")
                guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)") else {
                    return Response(
                        status: .notFound,
                        body: .init(byteBuffer: ByteBuffer(string: "<h1>404 Not Found</h1>")))
                }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
            }
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            var logger = Logger(label: "heartbeat-server")
            logger.logLevel = .critical
            let app = Application(
                router: router,
                configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
                onServerRunning: { channel in
                    continuation.yield(channel.localAddress?.port ?? 0)
                    continuation.finish()
                }, logger: logger)
            let task = Task { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next(), bound > 0 else {
                task.cancel()
                throw CancellationError()
            }
            return FileServer(task: task, port: bound)
        }

        func stop() async {
            task.cancel()
            _ = await task.result
        }
    }

    static func settings(directory: String, port: Int, file: String = fileName, holdDown: Double = 0.5)
        -> HASettings
    {
        HASettings(
            mode: .heartbeat, master: "lbd-a", heartbeatDirectory: directory, heartbeatFile: fileName,
            heartbeatURL: "http://127.0.0.1:\(port)/load-balancing/\(file)", takeoverAfter: 5,
            holdDown: holdDown)
    }

    /// Polls `condition` every 20 ms for at most `seconds`.
    static func eventually(within seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    /// The roles a subscriber of `roleChanges()` has seen.
    final class RoleLog: Sendable {
        private let box: Box<[LeadershipRole]>
        let task: Task<Void, Never>

        init(_ leadership: HeartbeatLeadership) async {
            let stream = await leadership.roleChanges()
            let box = Box<[LeadershipRole]>([])
            self.box = box
            task = Task {
                for await role in stream { box.update { $0.append(role) } }
            }
        }

        var all: [LeadershipRole] { box.value }
    }

    /// The `action` metadata of each notice, as the log pipeline sees it.
    struct ActionLog: LogHandler {
        let actions: Box<[String]>
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard event.level == .notice, let action = event.metadata?["action"] else { return }
            actions.update { $0.append("\(action)") }
        }
    }

    /// A value shared with tasks.
    final class Box<Value: Sendable>: Sendable {
        private let mutex: Mutex<Value>
        init(_ value: Value) { mutex = Mutex(value) }
        var value: Value { mutex.withLock { $0 } }
        func update(_ change: (inout Value) -> Void) { mutex.withLock { change(&$0) } }
    }

    static let interval = HeartbeatTiming(interval: .milliseconds(50))

    @Test func aStandbyTakesOverWhenTheMastersServerDiesAndHandsBackAfterTheHoldDown() async throws {
        let directory = try Peers.temporaryDirectory("lbd-heartbeat").path
        let server = try await FileServer.start(directory: directory)
        let settings = Self.settings(directory: directory, port: server.port)
        let masterLog = CapturedLog()
        let master = try HeartbeatLeadership(
            settings: settings, instance: "lbd-a", logger: masterLog.logger, timing: Self.interval)
        let standbyLog = CapturedLog()
        let actions = Box<[String]>([])
        let standby = try HeartbeatLeadership(
            settings: settings, instance: "lbd-b",
            logger: Logger(label: "test") { _ in
                MultiplexLogHandler([standbyLog.logger.handler, ActionLog(actions: actions)])
            }, timing: Self.interval)
        let roles = await RoleLog(standby)
        let secondSubscriber = await RoleLog(standby)
        let masterRun = Task { await master.run() }
        let pump = Task {
            while !Task.isCancelled {
                await master.roundCompleted()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        // A standby that finds no heartbeat publishes: start it once the master wrote one.
        #expect(
            await Self.eventually { FileManager.default.fileExists(atPath: "\(directory)/\(Self.fileName)") })
        let standbyRun = Task { await standby.run() }
        defer {
            masterRun.cancel()
            pump.cancel()
            standbyRun.cancel()
        }

        #expect(await master.publishingPermit() != nil)
        #expect(await Self.eventually { await standby.status().age != nil })
        #expect(await standby.status().role == .standby)
        #expect(await standby.publishingPermit() == nil)
        #expect(standbyLog.contains(.info, "primary master heartbeat: lbd-a : "))
        #expect(standbyLog.contains(.info, "primary master heartbeat time difference: "))

        await server.stop()
        #expect(await Self.eventually { await standby.publishingPermit() != nil })
        #expect(
            standbyLog.contains(.warning, "problem fetching heartbeat file from the primary master lbd-a"))
        #expect(standbyLog.contains(.notice, "taking over"))
        let status = await standby.status()
        #expect(status.mode == "heartbeat")
        #expect(status.peer == "lbd-a")
        #expect(status.reason.contains("unreachable"))

        let revived = try await FileServer.start(directory: directory, port: server.port)
        defer { revived.task.cancel() }
        #expect(await Self.eventually { await standby.publishingPermit() == nil })
        #expect(standbyLog.contains(.notice, "handing back to the master lbd-a"))
        #expect(roles.all == [.standby, .active, .standby])
        #expect(actions.value == ["takeover", "handback"])
        #expect(secondSubscriber.all == [.standby, .active, .standby])
        // The master never stopped publishing.
        #expect(await master.publishingPermit() != nil)
        #expect(await master.status().role == .active)

        // Cancelling run() ends the role streams and shuts the HTTP client down.
        standbyRun.cancel()
        await standbyRun.value
        await roles.task.value
        await secondSubscriber.task.value
        await revived.stop()
    }

    @Test func aStandbyTakesOverWhenTheMastersEngineStallsAndTheFileAges() async throws {
        let directory = try Peers.temporaryDirectory("lbd-heartbeat").path
        let server = try await FileServer.start(directory: directory)
        let clock = TestClock()
        let settings = Self.settings(directory: directory, port: server.port)
        let masterLog = CapturedLog()
        let master = try HeartbeatLeadership(
            settings: settings, instance: "lbd-a", logger: masterLog.logger, clock: clock.now,
            timing: Self.interval)
        let standbyLog = CapturedLog()
        let standby = try HeartbeatLeadership(
            settings: settings, instance: "lbd-b", logger: standbyLog.logger, clock: clock.now,
            timing: Self.interval)
        let engineRunning = Box(true)
        let masterRun = Task { await master.run() }
        let pump = Task {
            while !Task.isCancelled {
                if engineRunning.value { await master.roundCompleted() }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        // A standby that finds no heartbeat publishes: start it once the master wrote one.
        #expect(
            await Self.eventually { FileManager.default.fileExists(atPath: "\(directory)/\(Self.fileName)") })
        let standbyRun = Task { await standby.run() }
        defer {
            masterRun.cancel()
            pump.cancel()
            standbyRun.cancel()
            server.task.cancel()
        }

        #expect(await Self.eventually { await standby.status().age != nil })
        #expect(await standby.status().role == .standby)

        // The engine stops completing rounds: the master stops writing and says so once.
        engineRunning.update { $0 = false }
        #expect(await Self.eventually { await master.status().reason.contains("no longer written") })
        let written = try String(contentsOfFile: "\(directory)/\(Self.fileName)", encoding: .utf8)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try String(contentsOfFile: "\(directory)/\(Self.fileName)", encoding: .utf8) == written)
        #expect(masterLog.all.filter { $0.contains("completed no round") }.count == 1)
        #expect(await standby.status().role == .standby)

        // Time passes beyond takeover_after: the last line written is stale.
        clock.advance(by: 10)
        #expect(await Self.eventually { await standby.publishingPermit() != nil })
        #expect(standbyLog.contains(.notice, "older than takeover_after 5 s"))
        #expect(await master.publishingPermit() != nil)

        // The engine runs again: fresh lines, and the standby hands back after the hold-down.
        engineRunning.update { $0 = true }
        #expect(await Self.eventually { await standby.publishingPermit() == nil })
        #expect(masterLog.contains(.notice, "the engine completes rounds again"))
        #expect(standbyLog.contains(.notice, "hold_down 0.5 s"))
    }

    @Test func aPageWithoutTheMastersLineOrTooLargeMakesTheStandbyPublish() async throws {
        let directory = try Peers.temporaryDirectory("lbd-heartbeat").path
        let server = try await FileServer.start(directory: directory)
        defer { server.task.cancel() }
        for file in ["missing", "big"] {
            let log = CapturedLog()
            let standby = try HeartbeatLeadership(
                settings: Self.settings(directory: directory, port: server.port, file: file),
                instance: "lbd-b",
                logger: log.logger, timing: Self.interval)
            let run = Task { await standby.run() }
            #expect(await Self.eventually { await standby.publishingPermit() != nil }, "\(file)")
            run.cancel()
            await run.value
            #expect(log.contains(.notice, "holds no line of the master lbd-a"), "\(file)")
        }
    }

    @Test func aFutureHeartbeatBeyondTakeoverAfterIsStale() async throws {
        let directory = try Peers.temporaryDirectory("lbd-heartbeat").path
        let server = try await FileServer.start(directory: directory)
        defer { server.task.cancel() }
        try HeartbeatFile(directory: directory, name: Self.fileName).write(
            host: "lbd-a", at: Date().addingTimeInterval(3600))
        let log = CapturedLog()
        let standby = try HeartbeatLeadership(
            settings: Self.settings(directory: directory, port: server.port), instance: "lbd-b",
            logger: log.logger, timing: Self.interval)
        let run = Task { await standby.run() }
        #expect(await Self.eventually { await standby.publishingPermit() != nil })
        run.cancel()
        await run.value
        #expect(log.contains(.notice, "in the future"))
    }

    @Test func theMasterLogsEachDistinctWriteFailureOnceAndStaysActive() async throws {
        let directory = try Peers.temporaryDirectory("lbd-heartbeat").path
        let log = CapturedLog()
        let master = try HeartbeatLeadership(
            settings: Self.settings(directory: "\(directory)/missing", port: 1), instance: "lbd-a",
            logger: log.logger, timing: Self.interval)
        let run = Task { await master.run() }
        let pump = Task {
            while !Task.isCancelled {
                await master.roundCompleted()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(await Self.eventually { log.contains(.error, "cannot write the heartbeat file") })
        try await Task.sleep(for: .milliseconds(300))
        #expect(log.all.filter { $0.contains("cannot write the heartbeat file") }.count == 1)
        #expect(await master.publishingPermit() != nil)
        #expect(await master.status().reason.contains("the last write failed"))

        try FileManager.default.createDirectory(
            atPath: "\(directory)/missing", withIntermediateDirectories: true)
        #expect(await Self.eventually { log.contains(.notice, "is written again") })
        #expect(FileManager.default.fileExists(atPath: "\(directory)/missing/\(Self.fileName)"))
        run.cancel()
        pump.cancel()
        await run.value
    }

    @Test func heartbeatModeNeedsAMasterAndAnHTTPURL() {
        #expect(throws: HeartbeatLeadershipError.noMaster) {
            try HeartbeatLeadership(settings: HASettings(mode: .heartbeat), logger: Logger(label: "test"))
        }
        #expect(throws: HeartbeatLeadershipError.invalidHeartbeatURL("ftp://lbd-a/heartbeat")) {
            try HeartbeatLeadership(
                settings: HASettings(
                    mode: .heartbeat, master: "lbd-a", heartbeatURL: "ftp://lbd-a/heartbeat"),
                logger: Logger(label: "test"))
        }
        #expect(HeartbeatTiming(takeoverAfter: 30).interval == .seconds(10))
        #expect(HeartbeatTiming(takeoverAfter: 6).interval == .seconds(2))
        #expect(HeartbeatTiming(takeoverAfter: 6).engineStallLimit == .seconds(6))
    }
}
