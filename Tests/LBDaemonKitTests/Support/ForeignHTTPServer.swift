import Hummingbird
import LBTestSupport

/// An HTTP server on a free loopback port that is not lbd (another web server, a proxy's error
/// pages): what `lbd status` and `lbd explain` must refuse, naming the URL. Stopped by `stop()`.
struct ForeignHTTPServer {
    let port: Int
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Serves `router` until `stop()`.
    static func start(_ router: Router<BasicRequestContext>) async throws -> ForeignHTTPServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await application.run() }
        do {
            let port = try await withDeadline(20, "the other server listening") {
                for await port in ports { return port }
                throw DeadlineExceeded(description: "no port")
            }
            return ForeignHTTPServer(port: port, task: task)
        } catch {
            task.cancel()
            throw error
        }
    }

    func stop() {
        task.cancel()
    }
}
