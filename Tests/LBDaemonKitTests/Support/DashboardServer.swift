import Foundation
import Hummingbird
import LBTestSupport
import Logging
import ServiceLifecycle

@testable import LBDaemonKit

/// The dashboards served on 127.0.0.1 at a port the system picks, from a router holding only
/// `DashboardRoutes`, so that the pages are tested as a browser gets them whatever else the HTTP
/// server serves.
struct DashboardServer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(sources: DaemonStatusSources, now: Date) async throws -> DashboardServer {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        DashboardRoutes(sources: sources, now: { now }).add(to: router)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "dashboard-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let group = ServiceGroup(
            services: [application],
            logger: Logger(label: "group", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await group.run() }
        let port = try await withDeadline(20, "the dashboards listening") {
            for await port in ports { return port }
            throw DeadlineExceeded(description: "no port")
        }
        return DashboardServer(port: port, group: group, task: task)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await withDeadline(20, "the dashboards stopping") { [task] in try await task.value }
    }
}

/// One page as headless Chromium saw it: a screenshot, the DOM after loading, and what the
/// browser logged from the page's console (CSP violations, failed loads, script errors).
struct BrowserPage: Sendable {
    var screenshot: Data
    var dom: String
    var console: [String]

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Loads `url` twice (a screenshot, then the DOM) in a private profile under a temp dir;
    /// each run is killed after 60 s.
    static func load(_ url: String, chromium: String) async throws -> BrowserPage {
        try await offThePool {
            let directory = try Peers.temporaryDirectory("chromium")
            defer { try? FileManager.default.removeItem(at: directory) }
            let screenshot = directory.appendingPathComponent("page.png").path
            let shot = try run(chromium, directory: directory, ["--screenshot=\(screenshot)", url])
            let dump = try run(chromium, directory: directory, ["--dump-dom", url])
            guard shot.status == 0, dump.status == 0 else {
                throw PeerError(
                    "chromium failed (\(shot.status), \(dump.status)): \(shot.errors.suffix(2_000))")
            }
            let console = (shot.errors + dump.errors).split(separator: "\n").filter { $0.contains("CONSOLE") }
            return BrowserPage(
                screenshot: (try? Data(contentsOf: URL(fileURLWithPath: screenshot))) ?? Data(),
                dom: dump.output,
                console: console.map(String.init))
        }
    }

    private static func run(_ chromium: String, directory: URL, _ arguments: [String]) throws -> (
        status: Int32, output: String, errors: String
    ) {
        let home = directory.path
        // Chromium writes its profile, caches and crash reports under HOME and XDG: all in the
        // temp dir. It must reach nothing but the test's server: no updates, no pings.
        return try Peers.run(
            "/usr/bin/env",
            [
                "HOME=\(home)", "XDG_CONFIG_HOME=\(home)/config", "XDG_CACHE_HOME=\(home)/cache",
                "XDG_RUNTIME_DIR=\(home)/runtime", chromium, "--headless=new", "--no-sandbox",
                "--disable-gpu",
                "--user-data-dir=\(home)/profile", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
                "--disable-client-side-phishing-detection", "--hide-scrollbars", "--mute-audio",
                "--enable-logging=stderr", "--v=0", "--window-size=1280,1600",
            ] + arguments, timeout: 60)
    }
}
