import DNS
import Foundation
import LBTestSupport
import NIOCore

/// The BIND `named` of the HA tests, in the root namespace on the topology's service address:
/// one zone per alias (golbd's layout) taking UPDATEs signed with `lb-internal` (hmac-sha256),
/// including the lease's fence `_lbd-fence.<zone>` TXT. Unsigned queries are answered.
final class HANamed {
    static let keyName = "lb-internal"

    let host: String
    let port: Int
    let secret: String
    let directory: URL
    let aliases: [String]
    private let process: PeerProcess

    var address: SocketAddress { try! SocketAddress(ipAddress: host, port: port) }

    init(host: String, aliases: [String]) async throws {
        guard let named = Peers.find("named") else { throw PeerError("named is not installed") }
        self.host = host
        self.aliases = aliases
        let secret = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
        self.secret = secret
        let directory = try Peers.temporaryDirectory("ha-named")
        self.directory = directory
        let port = try Peers.freeUDPAndTCPPort()
        self.port = port
        for alias in aliases {
            try Self.zoneFile.write(
                to: directory.appendingPathComponent("\(alias).zone"), atomically: true, encoding: .utf8)
        }
        let zones = aliases.map { alias in
            """
            zone "\(alias)" {
                type primary;
                file "\(directory.path)/\(alias).zone";
                allow-update { key "\(Self.keyName)"; };
            };
            """
        }
        let configuration = """
            options {
                directory "\(directory.path)";
                listen-on port \(port) { \(host); };
                listen-on-v6 { none; };
                pid-file none;
                session-keyfile none;
                managed-keys-directory "\(directory.path)";
                recursion no;
                dnssec-validation no;
                notify no;
            };
            controls { };
            key "\(Self.keyName)" { algorithm hmac-sha256; secret "\(secret)"; };
            \(zones.joined(separator: "\n"))

            """
        let file = directory.appendingPathComponent("named.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        let user = getuid() == 0 ? ["-u", "root"] : []
        process = try PeerProcess(named, ["-g", "-c", file.path] + user)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw PeerError("named exited: \(process.errorOutput.suffix(2000))")
            }
            if (try? await addresses(aliases[0])) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerError("named does not answer on \(host):\(port): \(process.errorOutput.suffix(2000))")
    }

    /// What each zone holds at first: an address no lbd publishes.
    static let zoneFile = """
        $TTL 60
        @   IN SOA ns.ha.test. hostmaster.ha.test. 1 3600 600 86400 60
        @   IN NS  ns.ha.test.
        @   IN A   192.0.2.1

        """

    /// The A records of `alias`, sorted.
    func addresses(_ alias: String) async throws -> [String] {
        try await ChaosDNS.addresses(alias, at: address)
    }

    /// The fencing tokens in the TXT records at `_lbd-fence.<alias>`; none when there is none.
    func fence(_ alias: String) async throws -> [Int64] {
        let client = DNSClient(options: DNSClient.Options(timeout: .milliseconds(500), retries: 1))
        let name = try DomainName(parsing: "_lbd-fence.\(alias).")
        do {
            let answer = try await client.query(name, type: .txt, server: address)
            return answer.message.answers.compactMap { record in
                guard case .txt(let strings) = record.data, let first = strings.first else { return nil }
                return Int64(String(decoding: first, as: UTF8.self))
            }
        } catch let error as DNSClientError where error.responseCode != nil {
            return []
        }
    }

    /// Sends, signed with lbd's key, the UPDATE a deposed instance holding `token` would send:
    /// replace the alias's address, if the fence still holds `token`. nsupdate's exit status
    /// and output.
    func updateFenced(_ alias: String, token: Int64, address: String) throws -> (
        status: Int32, output: String
    ) {
        guard let nsupdate = Peers.find("nsupdate") else { throw PeerError("nsupdate is not installed") }
        let script = """
            server \(host) \(port)
            zone \(alias)
            key hmac-sha256:\(Self.keyName) \(secret)
            prereq yxrrset _lbd-fence.\(alias). TXT "\(token)"
            update delete \(alias). A
            update add \(alias). 60 A \(address)
            send

            """
        let result = try Peers.run(nsupdate, ["-v"], timeout: 15, input: script)
        return (result.status, result.output + result.errors)
    }

    /// The `dns` section of lbd's file for this server.
    var dnsSection: String {
        """
        dns:
          server: \(host):\(port)
          timeout: 1s
          retries: 1
          views:
            internal:
              key_name: \(Self.keyName).
              algorithm: hmac-sha256
              secret: \(secret)
        """
    }

    var errorOutput: String { process.errorOutput }

    func stop() { process.stop() }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
