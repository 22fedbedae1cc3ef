import DNS
import Foundation
import LBTestSupport
import NIOCore

/// What the BIND and Knot interop tests share: the `lb.example.` zone file, a fresh TSIG key,
/// a port free for both UDP and TCP, and waiting until a started server answers.
enum PeerZone {
    static let name = try! DomainName(parsing: "lb.example.")

    /// The zone the peers load: SOA, NS, and one A record at the apex (the alias).
    static let zoneFile = """
        $TTL 60
        @   IN SOA ns.lb.example. hostmaster.lb.example. 1 3600 600 86400 60
        @   IN NS  ns.lb.example.
        @   IN A   192.0.2.1
        ns  IN A   127.0.0.1

        """

    /// A key with a random secret, as `tsig-keygen` would make.
    static func makeKey(name: String = "lb-update-key", algorithm: TSIGAlgorithm) -> TSIGKey {
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return TSIGKey(name: try! DomainName(parsing: name), algorithm: algorithm, secret: secret)
    }

    static func base64(_ key: TSIGKey) -> String { Data(key.secret).base64EncodedString() }

    /// Waits until the server at `port` answers a SOA query for the zone, or `process` died.
    /// Starts a server for the test zone in a new directory on a free port, retrying on another
    /// port (up to three times) when the chosen one was taken in between. `launch` writes the
    /// server's configuration for the directory and port and starts the process.
    static func start(
        _ name: String, launch: (_ directory: URL, _ port: Int) throws -> PeerProcess
    ) async throws -> (port: Int, directory: URL, process: PeerProcess) {
        var lastError: any Error = PeerError("\(name) did not start")
        for _ in 0..<3 {
            let directory = try Peers.temporaryDirectory(name)
            let port = try Peers.freeUDPAndTCPPort()
            try zoneFile.write(
                to: directory.appendingPathComponent("lb.example.zone"), atomically: true, encoding: .utf8)
            let process = try launch(directory, port)
            do {
                try await waitUntilServing(process, port: port, name: name)
                return (port, directory, process)
            } catch {
                process.stop()
                lastError = error
            }
        }
        throw lastError
    }

    static func waitUntilServing(_ process: PeerProcess, port: Int, name: String) async throws {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(200), retries: 0))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw PeerError("\(name) exited: \(process.errorOutput.suffix(2000))")
            }
            if (try? await client.query(Self.name, type: .soa, server: server)) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerError("\(name) does not answer on port \(port): \(process.errorOutput.suffix(2000))")
    }

    /// The `dig +short` lines for `type` at the zone apex, sorted.
    static func dig(port: Int, type: String) throws -> [String] {
        guard let dig = Peers.find("dig") else { throw PeerError("dig is not installed") }
        let result = try Peers.run(
            dig, ["@127.0.0.1", "-p", String(port), "lb.example.", type, "+short", "+tries=1", "+time=3"])
        guard result.status == 0 else { throw PeerError("dig failed: \(result.errors)") }
        return result.output.split(separator: "\n").map(String.init).sorted()
    }
}
