import DNS
import Foundation
import LBTestSupport
import NIOCore

/// BIND and Knot configured as secondaries of our embedded server for `lb.example.`, started on
/// a free port of 127.0.0.1 in their own temporary directory, stopped by pid.
struct Secondary {
    let port: Int
    let directory: URL
    let process: PeerProcess

    var address: SocketAddress { try! SocketAddress(ipAddress: "127.0.0.1", port: port) }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A BIND `named` transferring from `primaryPort` without a key; BIND takes NOTIFY from the
    /// primary's address by default.
    static func named(primaryPort: Int) async throws -> Secondary {
        guard let named = Peers.find("named") else { throw PeerError("named is not installed") }
        let started = try await PeerZone.start("named-secondary") { directory, port in
            let config = directory.appendingPathComponent("named.conf")
            try
                (Peers.namedOptions(directory: directory.path, port: port) + """
                    zone "lb.example" {
                        type secondary;
                        primaries { 127.0.0.1 port \(primaryPort); };
                        file "\(directory.path)/lb.example.secondary";
                    };

                    """).write(to: config, atomically: true, encoding: .utf8)
            let user = getuid() == 0 ? ["-u", "root"] : []
            return try PeerProcess(named, ["-g", "-c", config.path] + user)
        }
        return Secondary(port: started.port, directory: started.directory, process: started.process)
    }

    /// A Knot `knotd` transferring from `primaryPort` with `key`, and taking NOTIFY only when
    /// signed with it.
    static func knot(primaryPort: Int, key: TSIGKey) async throws -> Secondary {
        guard let knotd = Peers.find("knotd") else { throw PeerError("knotd is not installed") }
        let keyName = key.name.description.trimmingCharacters(in: ["."])
        let started = try await PeerZone.start("knotd-secondary") { directory, port in
            let config = directory.appendingPathComponent("knot.conf")
            try """
            server:
                rundir: "\(directory.path)"
                listen: 127.0.0.1@\(port)
            log:
              - target: stderr
                any: info
            database:
                storage: "\(directory.path)"
            key:
              - id: \(keyName)
                algorithm: \(key.algorithm.rawValue)
                secret: \(PeerZone.base64(key))
            remote:
              - id: primary
                address: 127.0.0.1@\(primaryPort)
                key: \(keyName)
            acl:
              - id: notify-from-primary
                address: 127.0.0.1
                key: \(keyName)
                action: notify
            template:
              - id: default
                storage: "\(directory.path)"
            zone:
              - domain: lb.example.
                master: primary
                acl: notify-from-primary
                file: "\(directory.path)/lb.example.secondary"

            """.write(to: config, atomically: true, encoding: .utf8)
            return try PeerProcess(knotd, ["-c", config.path])
        }
        return Secondary(port: started.port, directory: started.directory, process: started.process)
    }
}
