import DNS
import Foundation
import NIOCore
import ProcessSpawning

/// The BIND `named` of `lbbench failover`: one zone (the alias at its apex, golbd's layout) on
/// 127.0.0.1 at a free port, taking UPDATEs signed with `lb-internal` (hmac-sha256), the lease's
/// fence `_lbd-fence.<alias>` TXT included. Started in its own temporary directory, stopped by pid.
final class FailoverNamed {
    static let keyName = "lb-internal"
    /// What the zone holds before any lbd publishes: an address no lbd publishes.
    static let initialAddress = "192.0.2.1"

    let port: Int
    let secret: String
    let directory: URL
    let alias: String
    private let child: ChildProcess

    var server: SocketAddress { try! SocketAddress(ipAddress: "127.0.0.1", port: port) }

    static func start(alias: String) async throws -> FailoverNamed {
        let named = try FailoverNamed(alias: alias)
        do {
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                guard named.child.isRunning else {
                    throw BenchmarkError("named exited: \(named.errorOutput)")
                }
                if (try? await named.addresses()) != nil { return named }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw BenchmarkError("named does not answer on 127.0.0.1:\(named.port): \(named.errorOutput)")
        } catch {
            named.stop()
            throw error
        }
    }

    private init(alias: String) throws {
        guard
            let program = ["/usr/sbin/named", "/usr/bin/named"].first(
                where: FileManager.default.isExecutableFile)
        else { throw BenchmarkError("named is not installed (apt-get install bind9)") }
        self.alias = alias
        secret = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-named-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackPort.freeForUDPAndTCP()
        let zone = """
            $TTL 60
            @   IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 60
            @   IN NS  ns.bench.test.
            @   IN A   \(Self.initialAddress)

            """
        try zone.write(to: directory.appendingPathComponent("alias.zone"), atomically: true, encoding: .utf8)
        let configuration = """
            options {
                directory "\(directory.path)";
                listen-on port \(port) { 127.0.0.1; };
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
            zone "\(alias)" {
                type primary;
                file "\(directory.path)/alias.zone";
                allow-update { key "\(Self.keyName)"; };
            };

            """
        let file = directory.appendingPathComponent("named.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        let user = getuid() == 0 ? ["-u", "root"] : []
        do {
            child = try ChildProcess(
                program, arguments: ["-g", "-c", file.path] + user,
                standardError: .file(directory.appendingPathComponent("stderr").path))
        } catch {
            throw BenchmarkError("cannot start named: \(error)")
        }
    }

    /// The alias's A records, sorted; throws when BIND does not answer.
    func addresses() async throws -> [String] {
        try await AliasAddresses.query(alias, server: server)
    }

    /// The `dns` section of lbd's file for this server.
    var dnsSection: String {
        """
        dns:
          server: 127.0.0.1:\(port)
          timeout: 1s
          retries: 1
          views:
            internal:
              key_name: \(Self.keyName).
              algorithm: hmac-sha256
              secret: \(secret)
        """
    }

    var errorOutput: String {
        let text =
            (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    /// SIGTERM, then SIGKILL after five seconds; the directory removed.
    func stop() {
        child.stop(grace: .seconds(5))
        try? FileManager.default.removeItem(at: directory)
    }
}
