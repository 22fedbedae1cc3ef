import Foundation
import LBCore
import LBTestSupport
import NIOCore
import Synchronization
import Testing

@testable import LBClientKit

/// The agent-check listener on a loopback socket: one line per connection, whatever arrives.
@Suite("HAProxy agent listener", .serialized)
struct HAProxyAgentServerTests {
    /// Sends `request` (nil: nothing) on a new connection, optionally half-closing, and returns
    /// everything read until the agent closes (at most 3 s).
    private func exchange(_ port: Int, _ request: [UInt8]?, halfClose: Bool = false) throws -> String {
        let socket = try LoopbackTCP.connect(port: port)
        defer { close(socket) }
        if let request { _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) } }
        if halfClose { shutdown(socket, Int32(SHUT_WR)) }
        return LoopbackTCP.readAll(socket, seconds: 3)
    }

    private func withServer(
        maximumConnections: Int = 64, answer: @escaping HAProxyAgentServer.Answer,
        _ body: (Int, HAProxyAgentServer) async throws -> Void
    ) async throws {
        let server = HAProxyAgentServer(
            configuration: .init(
                host: "127.0.0.1", port: 0, requestWait: .milliseconds(100), connectionTimeout: .seconds(2),
                maximumConnections: maximumConnections),
            answer: answer)
        let address = try await server.start()
        do {
            try await body(address.port ?? 0, server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Echoes the parsed request, so the tests see what the listener understood.
    private static let echo: HAProxyAgentServer.Answer = { request in
        switch request {
        case .node: .ready(weight: 42)
        case .alias(let name): .drain(reason: name)
        case .invalid(let why): .down(reason: why)
        }
    }

    @Test func withoutAgentSendTheNodeIsAnsweredAfterTheWait() async throws {
        try await withServer(answer: Self.echo) { port, _ in
            let reply1 = try exchange(port, nil)

            #expect(reply1 == "up ready 42%\n")
        }
    }

    @Test func anAgentSendLineIsAnsweredAtItsEnd() async throws {
        try await withServer(answer: Self.echo) { port, _ in
            let reply2 = try exchange(port, Array("www.example.org\n".utf8))

            #expect(reply2 == "up drain #www.example.org\n")
            // Without a newline, the half-close or the wait ends the request.
            let reply3 = try exchange(port, Array("a.example.org".utf8), halfClose: true)

            #expect(reply3 == "up drain #a.example.org\n")
            let reply4 = try exchange(port, Array("b.example.org".utf8))

            #expect(reply4 == "up drain #b.example.org\n")
        }
    }

    @Test func garbageGetsOneBoundedLineAndTheListenerGoesOn() async throws {
        try await withServer(answer: Self.echo) { port, _ in
            var random = SeededRandomNumberGenerator(seed: 0xBAD_A6E7)
            for round in 0..<30 {
                let count = round % 5 == 0 ? 70_000 : random.below(300)
                let bytes = (0..<count).map { _ in UInt8(random.below(256)) }
                let reply = try exchange(port, bytes)
                #expect(
                    reply.isEmpty
                        || (reply.hasSuffix("\n") && reply.utf8.count <= HAProxyAgentReply.maximumLineLength))
            }
            let reply5 = try exchange(port, Array("x\n".utf8))

            #expect(reply5 == "up drain #x\n")
        }
    }

    /// Connections beyond the limit are closed unanswered; the ones admitted are answered.
    @Test func connectionsBeyondTheLimitAreClosedAtOnce() async throws {
        let release = Mutex(false)
        let slow: HAProxyAgentServer.Answer = { _ in
            for _ in 0..<150 where !release.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
            return .ready(weight: 7)
        }
        try await withServer(maximumConnections: 2, answer: slow) { port, server in
            let held = try (0..<2).map { _ in try LoopbackTCP.connect(port: port) }
            defer { for socket in held { close(socket) } }
            for socket in held { shutdown(socket, Int32(SHUT_WR)) }
            try await Task.sleep(for: .milliseconds(200))
            let reply6 = try exchange(port, nil)

            #expect(reply6 == "")
            #expect(server.refused >= 1)
            release.withLock { $0 = true }
            for socket in held { #expect(LoopbackTCP.readAll(socket, seconds: 3) == "up ready 7%\n") }
        }
    }

    /// A peer that connects and never reads nor closes is dropped after the connection timeout.
    @Test func aSilentPeerIsAnsweredAndClosed() async throws {
        let three: HAProxyAgentServer.Answer = { _ in .ready(weight: 3) }
        try await withServer(answer: three) { port, _ in
            let socket = try LoopbackTCP.connect(port: port)
            defer { close(socket) }
            let started = ContinuousClock.now
            #expect(LoopbackTCP.readAll(socket, seconds: 5) == "up ready 3%\n")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    /// Peers that connect and never send nor close, more than the limit: the admitted ones are
    /// answered after the request wait and closed, the rest closed at once, and their slots come
    /// back, so HAProxy's next check is answered.
    @Test func silentPeersBeyondTheLimitDoNotStarveLaterChecks() async throws {
        let five: HAProxyAgentServer.Answer = { _ in .ready(weight: 5) }
        try await withServer(maximumConnections: 4, answer: five) { port, server in
            let silent = try (0..<12).map { _ in try LoopbackTCP.connect(port: port) }
            defer { for socket in silent { close(socket) } }
            let replies = silent.map { LoopbackTCP.readAll($0, seconds: 3) }
            #expect(replies.allSatisfy { $0 == "" || $0 == "up ready 5%\n" }, "\(replies)")
            let answered = replies.filter { !$0.isEmpty }.count
            #expect(
                answered >= 4 && answered + server.refused == 12,
                "\(answered) answered, \(server.refused) refused")
            for _ in 0..<3 { #expect(try exchange(port, Array("\n".utf8)) == "up ready 5%\n") }
        }
    }
}
