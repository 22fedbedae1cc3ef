import DNS
import Foundation
import LBTestSupport
import NIOCore

/// A BIND `named` taking TSIG-signed UPDATEs for one zone per alias (golbd's layout), that the
/// chaos test kills, restarts on the same port, and restarts with another key.
///
/// Unsigned queries are answered, so the test reads what BIND serves without a key. Invariant:
/// at most one named of this object runs at a time, always on `port`, in `directory`.
final class ChaosNamed {
    static let keyName = "lb-internal"

    private(set) var port = 0
    let directory: URL
    let aliases: [String]
    private var process: PeerProcess?

    var address: SocketAddress { try! SocketAddress(ipAddress: "127.0.0.1", port: port) }

    /// Starts named with `secret` (base64, hmac-sha256) on a free port (another one, up to three
    /// times, if the port was taken in between).
    init(aliases: [String], secret: String) async throws {
        self.aliases = aliases
        directory = try Peers.temporaryDirectory("chaos-named")
        var lastError: any Error = PeerError("named did not start")
        for _ in 0..<3 {
            port = try Peers.freeUDPAndTCPPort()
            do {
                try await start(secret: secret, freshZones: true)
                return
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(at: directory)
        throw lastError
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// Starts named again on the same port, knowing the key by `secret`. With `freshZones` the
    /// zones start over from their files (the placeholder address, no journal), as after a loss
    /// of BIND's state; otherwise they keep what lbd published.
    func start(secret: String, freshZones: Bool) async throws {
        guard let named = Peers.find("named") else { throw PeerError("named is not installed") }
        precondition(!isRunning, "named is already running")
        if freshZones {
            for alias in aliases {
                let zone = directory.appendingPathComponent("\(alias).zone")
                try? FileManager.default.removeItem(at: zone.appendingPathExtension("jnl"))
                try Self.zoneFile.write(to: zone, atomically: true, encoding: .utf8)
            }
        }
        let config = directory.appendingPathComponent("named.conf")
        try configuration(secret: secret).write(to: config, atomically: true, encoding: .utf8)
        // As root, named wants a user to switch to; `-u root` keeps it root.
        let user = getuid() == 0 ? ["-u", "root"] : []
        let process = try PeerProcess(named, ["-g", "-c", config.path] + user)
        self.process = process
        try await waitUntilServing(process)
    }

    /// SIGKILL: no chance to write anything.
    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.pid, SIGKILL)
        _ = process.waitForExit(timeout: 10)
    }

    func stop() {
        process?.stop()
        process = nil
    }

    /// What named printed on stderr so far (this run only).
    var errorOutput: String { process?.errorOutput ?? "" }

    /// The A records of `alias`, sorted, as named answers an unsigned query.
    func addresses(_ alias: String) async throws -> [String] {
        try await ChaosDNS.addresses(alias, at: address)
    }

    /// What each alias zone holds at first: SOA, NS, and an address lbd must replace.
    static let zoneFile = """
        $TTL 60
        @   IN SOA ns.chaos.test. hostmaster.chaos.test. 1 3600 600 86400 60
        @   IN NS  ns.chaos.test.
        @   IN A   192.0.2.1

        """

    private func configuration(secret: String) -> String {
        let zones = aliases.map { alias in
            """
            zone "\(alias)" {
                type primary;
                file "\(directory.path)/\(alias).zone";
                allow-update { key "\(Self.keyName)"; };
            };
            """
        }
        return Peers.namedOptions(directory: directory.path, port: port) + """
            key "\(Self.keyName)" { algorithm hmac-sha256; secret "\(secret)"; };
            \(zones.joined(separator: "\n"))

            """
    }

    /// Waits until every zone answers, or named died.
    private func waitUntilServing(_ process: PeerProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw PeerError("named exited: \(process.errorOutput.suffix(2000))")
            }
            var serving = true
            for alias in aliases where (try? await addresses(alias)) == nil {
                serving = false
                break
            }
            if serving { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerError("named does not answer on port \(port): \(process.errorOutput.suffix(2000))")
    }

    deinit {
        process?.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Reads A records the way a resolver would, from BIND or lbd's own server.
enum ChaosDNS {
    static func addresses(_ alias: String, at server: SocketAddress) async throws -> [String] {
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(300), retries: 0))
        let answer = try await client.query(try DomainName(parsing: alias + "."), type: .a, server: server)
        return answer.message.answers.compactMap { record in
            if case .a(let address) = record.data { return "\(address)" }
            return nil
        }.sorted()
    }
}
