import AsyncHTTPClient
import Foundation
import Hummingbird
import LBCore
import LBTestSupport
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import LBDaemonKit

#if canImport(Glibc)
    import Glibc
#endif

/// lbd's HTTP server as golbd's standby and `lbd status` see it: the heartbeat file byte for
/// byte and nothing else from the disk, `/healthz`, `/api/v1/instance`, read-only, and a bind
/// failure that leaves the rest of lbd running.
@Suite struct HTTPServiceTests {
    static let heartbeat: [UInt8] =
        Array("lbd1.example.org : 1700000000 : I am alive\n".utf8) + [0xFF, 0x00, 0x0A]

    @Test func theHeartbeatFileIsServedByteForByteAndHEADGivesItsLength() async throws {
        let server = try await RunningHTTPService.start()
        try Data(Self.heartbeat).write(to: server.heartbeatPath)
        let get = try await server.request("/load-balancing/heartbeat")
        #expect(get.status == 200)
        #expect(get.body == Self.heartbeat)
        #expect(get.headers["content-type"] == "text/plain")
        let head = try await RawHTTP.send(
            port: server.port, method: "HEAD", target: "/load-balancing/heartbeat")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-length"] == String(Self.heartbeat.count))
        try await server.stop()
        // A graceful shutdown is clean.
        #expect(!server.log.all.contains { $0.hasPrefix("error ") }, "\(server.log.all)")
    }

    @Test func aMissingHeartbeatIsNotFound() async throws {
        let server = try await RunningHTTPService.start()
        let missing = try await server.request("/load-balancing/heartbeat")
        #expect(missing.status == 404)
        // A directory under the name is no heartbeat either.
        try FileManager.default.createDirectory(at: server.heartbeatPath, withIntermediateDirectories: false)
        let underDirectory = try await server.request("/load-balancing/heartbeat")
        #expect(underDirectory.status == 404)
        try await server.stop()
    }

    @Test func noOtherFileIsReachableUnderLoadBalancing() async throws {
        let server = try await RunningHTTPService.start()
        try Data(Self.heartbeat).write(to: server.heartbeatPath)
        let secret = "TSIG-SECRET-c2VjcmV0"
        // Next to the heartbeat, and in the directory above it.
        try secret.write(
            to: server.directory.appendingPathComponent("other"), atomically: true, encoding: .utf8)
        try secret.write(
            to: server.directory.deletingLastPathComponent().appendingPathComponent("\(server.id)-x"),
            atomically: true, encoding: .utf8)
        let x = "\(server.id)-x"
        let targets = [
            "/load-balancing/other", "/load-balancing/../\(x)", "/load-balancing/%2e%2e/\(x)",
            "/load-balancing/..%2f\(x)", "/load-balancing/%2e%2e%2f\(x)",
            "/load-balancing/heartbeat/../other",
            "/load-balancing/./other", "/load-balancing/heartbeat%2f..%2fother", "/load-balancing/",
            "/load-balancing", "/load-balancing/heartbeat/extra", "/load-balancing/heartbeat%00",
            "/load-balancing//heartbeat/../../\(x)", "/heartbeat", "/other",
        ]
        for target in targets {
            // Sent as is, without a client that could tidy the path up first.
            let answer = try await RawHTTP.send(port: server.port, target: target)
            #expect(answer.status == 404, "\(target): \(answer.text)")
            #expect(!answer.text.contains(secret), "\(target)")
        }
        let served = try await RawHTTP.send(port: server.port, target: "/load-balancing/heartbeat")
        #expect(served.status == 200)
        try? FileManager.default.removeItem(
            at: server.directory.deletingLastPathComponent().appendingPathComponent(x))
        try await server.stop()
    }

    @Test func healthzSaysOK() async throws {
        let server = try await RunningHTTPService.start()
        let answer = try await server.request("/healthz")
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == "ok\n")
        try await server.stop()
    }

    @Test func theInstanceEndpointAnswersTheStatusWithSnakeCaseKeysAndNoSecret() async throws {
        let server = try await RunningHTTPService.start()
        let answer = try await server.request("/api/v1/instance")
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "application/json")
        let decoded = try InstanceStatus.makeDecoder().decode(InstanceStatus.self, from: Data(answer.body))
        #expect(decoded == InstanceStatus.sample)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        // Every field is listed here, so that a new one is looked at for secrets before it ships.
        #expect(
            Set(object.keys) == [
                "version", "instance", "partition", "leadership", "config_path", "config_digest",
                "alias_count",
                "last_round", "started_at",
            ])
        let leadership = try #require(object["leadership"] as? [String: Any])
        #expect(
            Set(leadership.keys) == [
                "mode", "role", "instance", "peer", "since", "age", "fencing_token", "reason",
            ])
        #expect(object["started_at"] as? String == "2026-01-02T03:04:05Z")
        let text = String(decoding: answer.body, as: UTF8.self).lowercased()
        for word in ["password", "secret", "postgres://", "tsig"] { #expect(!text.contains(word), "\(word)") }
        try await server.stop()
    }

    @Test func theStatusIsAskedAtEachRequest() async throws {
        let count = CallCounter()
        let server = try await RunningHTTPService.start(status: {
            var status = InstanceStatus.sample
            status.aliasCount = count.next()
            return status
        })
        for expected in 1...3 {
            let answer = try await server.request("/api/v1/instance")
            let decoded = try InstanceStatus.makeDecoder().decode(
                InstanceStatus.self, from: Data(answer.body))
            #expect(decoded.aliasCount == expected)
        }
        try await server.stop()
    }

    @Test func onlyGETAndHEADAreAnsweredAndUnknownPathsAreNotFound() async throws {
        let server = try await RunningHTTPService.start()
        try Data(Self.heartbeat).write(to: server.heartbeatPath)
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            for path in ["/load-balancing/heartbeat", "/healthz", "/api/v1/instance", "/nowhere"] {
                let answer = try await RawHTTP.send(port: server.port, method: method, target: path)
                #expect(answer.status == 405, "\(method) \(path)")
                #expect(answer.headers["allow"] == "GET, HEAD")
            }
        }
        // Nothing was changed by them.
        let after = try await server.request("/load-balancing/heartbeat")
        #expect(after.body == Self.heartbeat)
        for path in ["/", "/api/v1", "/api/v1/instance/x", "/healthz/x", "/metrics"] {
            let unknown = try await server.request(path)
            #expect(unknown.status == 404, "\(path)")
        }
        try await server.stop()
    }
}

/// A counter shared with a `@Sendable` closure.
final class CallCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

extension InstanceStatus {
    /// A standby of a lease pair, with every field set.
    static let sample = InstanceStatus(
        version: ProductVersion.current, instance: "lbd2.example.org", partition: "blue",
        leadership: LeadershipStatus(
            mode: "lease", role: .standby, instance: "lbd2.example.org", peer: "lbd1.example.org",
            since: Date(timeIntervalSince1970: 1_767_322_000), age: 2.5, fencingToken: 41,
            reason: "the lease is held by lbd1.example.org until it expires"),
        configPath: "/etc/lbd/lbd.yaml",
        configDigest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", aliasCount: 12,
        lastRound: InstanceStatus.RoundSummary(
            finishedAt: Date(timeIntervalSince1970: 1_767_323_100), aliasesEvaluated: 12, published: 11,
            failed: 1),
        startedAt: Date(timeIntervalSince1970: 1_767_323_045))
}

/// A test gave up waiting.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var description: String
}

/// `body`, or `DeadlineExceeded` after `seconds`.
func withDeadline<T: Sendable>(
    _ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlineExceeded(description: "\(what): not done after \(seconds) s")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// An `HTTPService` on 127.0.0.1 at a port the system chose, in a service group of its own,
/// stopped by the group's graceful shutdown.
struct RunningHTTPService: Sendable {
    let id = UUID().uuidString
    let port: Int
    let directory: URL
    let log: CapturedLog
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var heartbeatPath: URL { directory.appendingPathComponent("heartbeat") }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(
        listen: ServerAddress = ServerAddress(host: "127.0.0.1", port: 0),
        status: @escaping @Sendable () async -> InstanceStatus = { .sample }
    ) async throws -> RunningHTTPService {
        try await start(
            settings: HTTPSettings(listen: listen),
            sources: DaemonStatusSources(
                evaluations: { [:] }, configuration: { Configuration() }, instance: status, ready: { true }))
    }

    /// A server with these settings (`token_file`, `tls`) and sources, serving `routes`.
    static func start(
        settings: HTTPSettings, sources: DaemonStatusSources, routes: [any HTTPRoutes] = []
    ) async throws -> RunningHTTPService {
        let directory = try Peers.temporaryDirectory("lbd-http")
        let log = CapturedLog()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let service = HTTPService(
            settings: settings, heartbeatDirectory: directory.path, heartbeatFile: "heartbeat",
            logger: log.logger, sources: sources, routes: routes, onListening: { continuation.yield($0) })
        let group = ServiceGroup(services: [service], logger: log.logger)
        let task = Task { try await group.run() }
        let port = try await withDeadline(20, "the HTTP server listening") {
            for await port in ports { return port }
            throw DeadlineExceeded(description: "no port")
        }
        return RunningHTTPService(port: port, directory: directory, log: log, group: group, task: task)
    }

    private init(
        port: Int, directory: URL, log: CapturedLog, group: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.port = port
        self.directory = directory
        self.log = log
        self.group = group
        self.task = task
    }

    /// Graceful shutdown; the group must end cleanly.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        let task = self.task
        try await withDeadline(20, "the HTTP server stopping") { try await task.value }
        try? FileManager.default.removeItem(at: directory)
    }

    struct Answer {
        var status: UInt
        var headers: [String: String]
        var body: [UInt8]
    }

    /// A GET by AsyncHTTPClient, as lbd's standby and `lbd status` ask.
    func request(_ path: String) async throws -> Answer {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let request = HTTPClientRequest(url: baseURL + path)
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            try await client.shutdown()
            return Answer(status: response.status.code, headers: headers, body: [UInt8](buffer: body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// An HTTP/1.1 request written by hand on a socket, so that the target reaches the server exactly
/// as written (no client normalises `..` or decodes `%2e`), with any method.
enum RawHTTP {
    struct Answer: Sendable {
        var status: Int
        /// The whole answer, head and body.
        var text: String
        /// Lowercased names.
        var headers: [String: String]
        var body: [UInt8]
    }

    static func send(
        port: Int, method: String = "GET", target: String, headers: [(String, String)] = [], body: String = ""
    ) async throws -> Answer {
        try await offThePool {
            try exchange(port: port, method: method, target: target, headers: headers, body: body)
        }
    }

    private static func exchange(
        port: Int, method: String, target: String, headers extra: [(String, String)], body: String
    ) throws -> Answer {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw DeadlineExceeded(description: "socket: errno \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw DeadlineExceeded(description: "connect: errno \(errno)") }
        let requestText =
            "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + extra.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n" + body
        let request = Array(requestText.utf8)
        guard Glibc.send(descriptor, request, request.count, 0) == request.count else {
            throw DeadlineExceeded(description: "send: errno \(errno)")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 1 << 20 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        let headEnd =
            (0..<max(received.count - 3, 0)).first { received[$0..<$0 + 4].elementsEqual(separator) }
            ?? received.count
        let head = String(decoding: received[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = (head.first ?? "").split(separator: " ")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return Answer(
            status: parts.count > 1 ? Int(parts[1]) ?? -1 : -1, text: text, headers: headers,
            body: Array(received[min(headEnd + 4, received.count)...]))
    }
}

/// Runs blocking work on a thread of its own, so that the few threads of Swift's cooperative
/// pool stay free for the server under test.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
