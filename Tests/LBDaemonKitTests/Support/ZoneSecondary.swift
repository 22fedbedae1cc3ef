import DNS
import Foundation
import LBTestSupport
import NIOCore

/// A BIND `named` or Knot `knotd` run as a secondary of lbd's embedded server for one zone,
/// transferring without a key and taking NOTIFY from 127.0.0.1 (`dns.embedded` has no key
/// settings). On a free port of 127.0.0.1, in its own temporary directory, stopped by pid.
struct ZoneSecondary {
    let name: String
    let port: Int
    let directory: URL
    let process: PeerProcess

    var address: SocketAddress { try! SocketAddress(ipAddress: "127.0.0.1", port: port) }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func named(zone: String, primaryPort: Int) throws -> ZoneSecondary {
        guard let named = Peers.find("named") else { throw PeerError("named is not installed") }
        return try start("named") { directory, port in
            let config = directory.appendingPathComponent("named.conf")
            try
                (Peers.namedOptions(directory: directory.path, port: port) + """
                    zone "\(zone)" {
                        type secondary;
                        primaries { 127.0.0.1 port \(primaryPort); };
                        file "\(directory.path)/\(zone).secondary";
                    };

                    """).write(to: config, atomically: true, encoding: .utf8)
            let user = getuid() == 0 ? ["-u", "root"] : []
            return try PeerProcess(named, ["-g", "-c", config.path] + user)
        }
    }

    static func knot(zone: String, primaryPort: Int) throws -> ZoneSecondary {
        guard let knotd = Peers.find("knotd") else { throw PeerError("knotd is not installed") }
        return try start("knotd") { directory, port in
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
            remote:
              - id: lbd
                address: 127.0.0.1@\(primaryPort)
            acl:
              - id: notify-from-lbd
                address: 127.0.0.1
                action: notify
            template:
              - id: default
                storage: "\(directory.path)"
            zone:
              - domain: \(zone).
                master: lbd
                acl: notify-from-lbd
                file: "\(directory.path)/\(zone).secondary"

            """.write(to: config, atomically: true, encoding: .utf8)
            return try PeerProcess(knotd, ["-c", config.path])
        }
    }

    /// Starts the peer `launch` makes on a free port, and waits until it answers anything on it
    /// (its zone is empty until lbd's first NOTIFY), retrying on another port up to three times.
    private static func start(
        _ name: String, launch: (_ directory: URL, _ port: Int) throws -> PeerProcess
    ) throws -> ZoneSecondary {
        var lastError: any Error = PeerError("\(name) did not start")
        for _ in 0..<3 {
            let directory = try Peers.temporaryDirectory(name)
            let port = try Peers.freeUDPAndTCPPort()
            let process = try launch(directory, port)
            let deadline = Date().addingTimeInterval(15)
            var answered = false
            while Date() < deadline, process.isRunning {
                if let dig = Peers.find("dig"),
                    let result = try? Peers.run(
                        dig,
                        [
                            "@127.0.0.1", "-p", String(port), "version.bind", "TXT", "CH", "+tries=1",
                            "+time=1",
                        ],
                        timeout: 5),
                    result.output.contains("status:")
                {
                    answered = true
                    break
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            if answered {
                return ZoneSecondary(name: name, port: port, directory: directory, process: process)
            }
            lastError = PeerError(
                "\(name) does not answer on port \(port): \(process.errorOutput.suffix(2000))")
            process.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        throw lastError
    }
}
