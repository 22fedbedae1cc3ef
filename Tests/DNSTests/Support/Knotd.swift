import DNS
import Foundation
import LBTestSupport
import NIOCore

/// A Knot DNS `knotd` serving `lb.example.` on 127.0.0.1 for one test (knotd stays in the
/// foreground unless `-d`), in its own temporary directory, stopped by pid.
final class Knotd {
    let port: Int
    let directory: URL
    private let process: PeerProcess

    var address: SocketAddress { try! SocketAddress(ipAddress: "127.0.0.1", port: port) }

    /// Starts knotd with `key` allowed to update the zone; retries on another port if the
    /// chosen one was taken in between.
    init(key: TSIGKey) async throws {
        guard let knotd = Peers.find("knotd") else { throw PeerError("knotd is not installed") }
        let started = try await PeerZone.start("knotd") { directory, port in
            let config = directory.appendingPathComponent("knot.conf")
            try Self.configuration(directory: directory.path, port: port, key: key)
                .write(to: config, atomically: true, encoding: .utf8)
            return try PeerProcess(knotd, ["-c", config.path])
        }
        (self.port, self.directory, self.process) = started
    }

    /// The knot.conf that worked with Knot 3.2: an `acl` with the `update` action for the key,
    /// run directory, databases and zone file under the test's directory, and no zone file
    /// flush (the journal holds the changes).
    static func configuration(directory: String, port: Int, key: TSIGKey) -> String {
        """
        server:
            rundir: "\(directory)"
            listen: 127.0.0.1@\(port)
        log:
          - target: stderr
            any: info
        database:
            storage: "\(directory)"
        key:
          - id: \(key.name.description.trimmingCharacters(in: ["."]))
            algorithm: \(key.algorithm.rawValue)
            secret: \(PeerZone.base64(key))
        acl:
          - id: lb-update
            key: \(key.name.description.trimmingCharacters(in: ["."]))
            action: update
        template:
          - id: default
            storage: "\(directory)"
            zonefile-sync: -1
            journal-content: changes
        zone:
          - domain: lb.example.
            file: "\(directory)/lb.example.zone"
            acl: lb-update

        """
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
