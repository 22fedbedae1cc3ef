import DNS
import Foundation
import LBTestSupport
import NIOCore

/// A BIND `named` serving `lb.example.` on 127.0.0.1 for one test, in the foreground (`-g`) in
/// its own temporary directory, stopped by pid.
final class Named {
    let port: Int
    let directory: URL
    private let process: PeerProcess

    var address: SocketAddress { try! SocketAddress(ipAddress: "127.0.0.1", port: port) }

    /// Starts named with `keys` allowed to update the zone; retries on another port if the
    /// chosen one was taken in between.
    init(keys: [TSIGKey]) async throws {
        guard let named = Peers.find("named") else { throw PeerError("named is not installed") }
        let started = try await PeerZone.start("named") { directory, port in
            let config = directory.appendingPathComponent("named.conf")
            try Self.configuration(directory: directory.path, port: port, keys: keys)
                .write(to: config, atomically: true, encoding: .utf8)
            // As root, named wants a user to switch to; `-u root` keeps it root, which works
            // in the test container and needs no chown of the directory.
            let user = getuid() == 0 ? ["-u", "root"] : []
            return try PeerProcess(named, ["-g", "-c", config.path] + user)
        }
        (self.port, self.directory, self.process) = started
    }

    /// The named.conf that worked with BIND 9.18: no rndc control channel (`controls { }`),
    /// every file under the test's directory, and `allow-update` by key. BIND 9.18.28 and
    /// later refuse an RRset of over 100 records (`max-records-per-type`, CVE-2024-1737) with
    /// SERVFAIL; 0 lifts the limit for the 200-address test.
    static func configuration(directory: String, port: Int, keys: [TSIGKey]) -> String {
        let keyStatements = keys.map {
            "key \"\($0.name.description.trimmingCharacters(in: ["."]))\" { algorithm \($0.algorithm.rawValue); "
                + "secret \"\(PeerZone.base64($0))\"; };"
        }
        let allowed = keys.map { "key \"\($0.name.description.trimmingCharacters(in: ["."]))\";" }
        return Peers.namedOptions(directory: directory, port: port, extra: "max-records-per-type 0;") + """
            \(keyStatements.joined(separator: "\n"))
            zone "lb.example" {
                type primary;
                file "\(directory)/lb.example.zone";
                allow-update { \(allowed.joined(separator: " ")) };
            };

            """
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
