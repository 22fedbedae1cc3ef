import Foundation
import LBTestSupport
import NIOCore
import NIOPosix

@testable import LBDaemonKit

/// A real HAProxy (``HAProxyPeer``) in master-worker mode, in front of backend `web`
/// (roundrobin), its frontend on `host` at a free port; the runtime API read through lbd's own
/// client.
final class HAProxyInstance: Sendable {
    let peer: HAProxyPeer
    let host: String
    let port: Int

    var socketPath: String { peer.socketPath }
    var process: PeerProcess { peer.process }
    var runtime: HAProxyRuntimeClient { HAProxyRuntimeClient(socket: .unix(path: socketPath)) }

    /// Starts HAProxy with backend `web` holding `staticServers` (name, address:port, options)
    /// as the configuration declares them.
    init(host: String = "127.0.0.1", staticServers: [(name: String, address: String, options: String)])
        async throws
    {
        port = try Peers.freeUDPAndTCPPort()
        self.host = host
        let servers = staticServers.map { "    server \($0.name) \($0.address) \($0.options)" }
        peer = try HAProxyPeer(
            mode: "http",
            sections: ([
                "frontend fe", "    bind \(host):\(port)", "    default_backend web", "backend web",
                "    balance roundrobin",
            ] + servers).joined(separator: "\n"),
            masterWorker: true)
        _ = try await waitForWorker(other: nil)
    }

    /// The worker's pid once the runtime API answers from a worker other than `other`.
    func waitForWorker(other: Int?) async throws -> Int {
        for _ in 0..<100 {
            if let answer = try? await runtime.run(["show info"]),
                let info = try? HAProxyProcessInfo.parse(answer[0]),
                info.pid != other
            {
                return info.pid
            }
            guard process.isRunning else { throw PeerError("haproxy exited: \(process.errorOutput)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerError("haproxy's runtime API did not answer: \(process.errorOutput)")
    }

    /// Reloads the master-worker (SIGUSR2): a new worker reads the configuration again, without
    /// any runtime change. Returns once the new worker answers.
    func reload() async throws {
        let old = try await waitForWorker(other: nil)
        Glibc.kill(process.pid, SIGUSR2)
        _ = try await waitForWorker(other: old)
    }

    /// HAProxy killed (SIGKILL): the socket file stays, with no one listening.
    func kill() throws { try peer.kill() }

    /// HAProxy started again after ``kill()`` from its configuration; returns once the new
    /// process answers. The socket file is replaced, and every runtime change is gone.
    func startAgain() async throws {
        try peer.startAgain()
        _ = try await waitForWorker(other: nil)
    }

    /// The servers of backend `web` as the runtime API shows them.
    func servers() async throws -> [HAProxyServerState] {
        let answers = try await runtime.run(["show servers state web"])
        return try HAProxyServerState.parse(answers[0], backend: "web")
    }

    /// The body of one `GET /` through HAProxy, on a connection of its own.
    func get() async throws -> String {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = eventLoop.makePromise(of: ByteBuffer.self)
        let request = "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
        let deadline = NIODeadline.now() + .seconds(5)
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HAProxyExchangeHandler(
                            request: request, limit: 65_536, deadline: deadline, promise: promise))
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        let bytes = try await promise.futureResult.get()
        let text = String(decoding: bytes.readableBytesView, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let body = text.range(of: "\r\n\r\n") else {
            throw PeerError("HAProxy answered: \(text.prefix(120))")
        }
        return String(text[body.upperBound...])
    }

    /// How many of `count` requests each backend answered, by body.
    func distribution(_ count: Int) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<count { counts[try await get(), default: 0] += 1 }
        return counts
    }
}
