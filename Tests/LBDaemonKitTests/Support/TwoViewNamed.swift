import DNS
import Foundation
import LBDaemonKit
import LBTestSupport
import NIOCore

/// A BIND `named` with two views chosen by TSIG key, as CERN's servers are presumed to be set
/// up for golbd: `internal` for `lb-internal.` and `external` for `lb-external.`, each serving
/// its own copy of every alias zone and taking UPDATEs signed with its key. Runs in the
/// foreground in its own directory and is stopped by pid.
final class TwoViewNamed {
    let port: Int
    let directory: URL
    private let process: PeerProcess

    var serverAddress: ServerAddress { ServerAddress(host: "127.0.0.1", port: port) }
    var address: SocketAddress { try! SocketAddress(ipAddress: "127.0.0.1", port: port) }

    /// Starts named serving `aliases` in both views, on a free port (another one, up to three
    /// times, if the port was taken in between).
    init(aliases: [String], internalKey: DNS.TSIGKey, externalKey: DNS.TSIGKey) async throws {
        guard let named = Peers.find("named") else { throw PeerError("named is not installed") }
        var lastError: any Error = PeerError("named did not start")
        for _ in 0..<3 {
            let directory = try Peers.temporaryDirectory("named-views")
            let port = try Peers.freeUDPAndTCPPort()
            for view in ["internal", "external"] {
                let viewDirectory = directory.appendingPathComponent(view)
                try FileManager.default.createDirectory(at: viewDirectory, withIntermediateDirectories: true)
                for alias in aliases {
                    try Self.zoneFile.write(
                        to: viewDirectory.appendingPathComponent("\(alias).zone"), atomically: true,
                        encoding: .utf8)
                }
            }
            let config = directory.appendingPathComponent("named.conf")
            try Self.configuration(
                directory: directory.path, port: port, aliases: aliases, internalKey: internalKey,
                externalKey: externalKey
            ).write(to: config, atomically: true, encoding: .utf8)
            // As root, named wants a user to switch to; `-u root` keeps it root.
            let user = getuid() == 0 ? ["-u", "root"] : []
            let process = try PeerProcess(named, ["-g", "-c", config.path] + user)
            do {
                try await Self.waitUntilServing(process, port: port, alias: aliases[0], key: internalKey)
                (self.port, self.directory, self.process) = (port, directory, process)
                return
            } catch {
                process.stop()
                try? FileManager.default.removeItem(at: directory)
                lastError = error
            }
        }
        throw lastError
    }

    /// What each alias zone holds at first: SOA, NS, and the apex address golbd would replace.
    static let zoneFile = """
        $TTL 60
        @   IN SOA ns.lb.example. hostmaster.lb.example. 1 3600 600 86400 60
        @   IN NS  ns.lb.example.
        @   IN A   192.0.2.1

        """

    /// Without a `match-clients` view for unsigned queries, an unsigned query is REFUSED: every
    /// read must be signed, which is what the publisher does.
    static func configuration(
        directory: String, port: Int, aliases: [String], internalKey: DNS.TSIGKey, externalKey: DNS.TSIGKey
    ) -> String {
        func keyName(_ key: DNS.TSIGKey) -> String { key.name.description.trimmingCharacters(in: ["."]) }
        func keyStatement(_ key: DNS.TSIGKey) -> String {
            "key \"\(keyName(key))\" { algorithm \(key.algorithm.rawValue); secret \"\(Data(key.secret).base64EncodedString())\"; };"
        }
        func view(_ name: String, _ key: DNS.TSIGKey) -> String {
            let zones = aliases.map { alias in
                """
                    zone "\(alias)" {
                        type primary;
                        file "\(directory)/\(name)/\(alias).zone";
                        allow-update { key "\(keyName(key))"; };
                    };
                """
            }
            return """
                view "\(name)" {
                    match-clients { key "\(keyName(key))"; };
                \(zones.joined(separator: "\n"))
                };
                """
        }
        return Peers.namedOptions(directory: directory, port: port, extra: "max-records-per-type 0;") + """
            \(keyStatement(internalKey))
            \(keyStatement(externalKey))
            \(view("internal", internalKey))
            \(view("external", externalKey))

            """
    }

    /// Waits until a query signed with `key` gets an answer, or named died.
    private static func waitUntilServing(
        _ process: PeerProcess, port: Int, alias: String, key: DNS.TSIGKey
    ) async throws {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(200), retries: 0))
        let query = DNSMessage(
            id: 0, questions: [Question(name: try DomainName(parsing: alias + "."), type: .soa)])
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw PeerError("named exited: \(process.errorOutput.suffix(2000))")
            }
            if (try? await client.update(query, server: server, key: key)) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerError("named does not answer on port \(port): \(process.errorOutput.suffix(2000))")
    }

    /// The `dig +short` lines for `type` at `alias`, asked with `key` so that its view answers,
    /// sorted.
    func dig(_ alias: String, _ type: String, key: DNS.TSIGKey) throws -> [String] {
        guard let dig = Peers.find("dig") else { throw PeerError("dig is not installed") }
        let secret = Data(key.secret).base64EncodedString()
        let result = try Peers.run(
            dig,
            [
                "-y",
                "\(key.algorithm.rawValue):\(key.name.description.trimmingCharacters(in: ["."])):\(secret)",
                "@127.0.0.1", "-p", String(port), alias + ".", type, "+short", "+tries=1", "+time=3",
            ])
        guard result.status == 0 else { throw PeerError("dig failed: \(result.output) \(result.errors)") }
        return result.output.split(separator: "\n").map(String.init).sorted()
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
