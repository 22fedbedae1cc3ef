import Foundation
import LBTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import LBDaemonKit

/// The HTTP server as one service of lbd's group: an address it cannot listen on is logged and
/// does not stop the group, and a shutdown or a cancellation stops it.
@Suite struct HTTPServiceLifecycleTests {
    @Test func anAddressInUseIsLoggedAndTheGroupRunsOnUntilShutdown() async throws {
        let first = try await RunningHTTPService.start()
        let log = CapturedLog()
        let listen = ServerAddress(host: "127.0.0.1", port: first.port)
        let second = HTTPService(
            settings: HTTPSettings(listen: listen), heartbeatDirectory: first.directory.path,
            heartbeatFile: "heartbeat", logger: log.logger, status: { .sample })
        let group = ServiceGroup(services: [second], logger: log.logger)
        let ended = Mutex(false)
        let task = Task {
            defer { ended.withLock { $0 = true } }
            try await group.run()
        }
        try await waitForLog(log, "cannot listen on 127.0.0.1:\(first.port)")
        #expect(log.contains(.error, "in use"), "\(log.all)")
        // Had the error left run(), the group would have ended with it.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!ended.withLock { $0 })
        // The first server still answers.
        let health = try await first.request("/healthz")
        #expect(health.status == 200)
        await group.triggerGracefulShutdown()
        try await withDeadline(20, "the group stopping") { try await task.value }
        try await first.stop()
    }

    @Test func anAddressThatIsNotLocalIsLoggedWithItsCause() async throws {
        let log = CapturedLog()
        // TEST-NET-1: no interface of this machine has it.
        let listen = ServerAddress(host: "192.0.2.1", port: 8080)
        let service = HTTPService(
            settings: HTTPSettings(listen: listen), heartbeatDirectory: "/nonexistent",
            heartbeatFile: "heartbeat", logger: log.logger, status: { .sample })
        let task = Task { try await service.run() }
        try await waitForLog(log, "cannot listen on 192.0.2.1:8080")
        #expect(log.contains(.error, "assign requested address"), "\(log.all)")
        task.cancel()
        try await withDeadline(20, "run() ending on cancellation") { try await task.value }
    }

    @Test func cancellationStopsARunningServer() async throws {
        let directory = try Peers.temporaryDirectory("lbd-http")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = CapturedLog()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let service = HTTPService(
            settings: HTTPSettings(listen: ServerAddress(host: "127.0.0.1", port: 0)),
            heartbeatDirectory: directory.path, heartbeatFile: "heartbeat", logger: log.logger,
            status: { .sample }, onListening: { continuation.yield($0) })
        let task = Task { try await service.run() }
        let port = try await withDeadline(20, "listening") {
            for await port in ports { return port }
            throw DeadlineExceeded(description: "no port")
        }
        let health = try await RawHTTP.send(port: port, target: "/healthz")
        #expect(health.status == 200)
        task.cancel()
        try await withDeadline(20, "run() ending on cancellation") { try await task.value }
        // Nothing listens any more.
        await #expect(throws: (any Error).self) { try await RawHTTP.send(port: port, target: "/healthz") }
        // A stop is no listening failure. (Hummingbird itself logs the cancellation of its accept
        // loop as an error; lbd stops it by graceful shutdown, which does not.)
        #expect(!log.contains(.error, "cannot listen"), "\(log.all)")
    }

    @Test func withoutAnAddressItServesNothingAndWaitsForTheShutdown() async throws {
        let log = CapturedLog()
        let service = HTTPService(
            settings: HTTPSettings(listen: nil), heartbeatDirectory: "/nonexistent",
            heartbeatFile: "heartbeat",
            logger: log.logger, status: { .sample })
        let group = ServiceGroup(services: [service], logger: log.logger)
        let ended = Mutex(false)
        let task = Task {
            defer { ended.withLock { $0 = true } }
            try await group.run()
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!ended.withLock { $0 })
        await group.triggerGracefulShutdown()
        try await withDeadline(20, "the group stopping") { try await task.value }
    }

    private func waitForLog(_ log: CapturedLog, _ text: String) async throws {
        try await withDeadline(20, "a log line with '\(text)'") {
            while !log.contains(.error, text) { try await Task.sleep(for: .milliseconds(20)) }
        }
    }
}
