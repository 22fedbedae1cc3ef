import Foundation
import ProcessSpawning

/// The nodes of `lbbench reaction`: one `lbclient agent` each, on its own 127.79.0.x address
/// and a port shared by all (lbd polls every member on one port), with a `check nologin`
/// configuration under its own `--root`, so that creating `<root>/etc/nologin` drains it.
///
/// Node `i` reports the constant load `10 * (i + 1)`, so with `best_hosts: 1` the first node is
/// published whenever it is usable: a drain always changes DNS, and so does the restore.
final class ReactionNodes {
    static let alias = "reaction.bench.test"

    let port: Int
    let addresses: [String]
    private let roots: [URL]
    private var children: [ChildProcess] = []

    /// Where a node's agent tells lbd of a change (`--notify`), and how often it looks.
    struct Push {
        var listener: String
        var interval: String
    }

    /// Starts `count` agents under `directory` and waits until each answers SNMP; tries other
    /// ports when one is taken on a node's address.
    static func start(count: Int, lbclient: String, in directory: URL, push: Push?) throws -> ReactionNodes {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let nodes = try ReactionNodes(count: count, in: directory, port: try LoopbackPort.freeUDP())
            do {
                try nodes.startAgents(lbclient: lbclient, push: push)
                return nodes
            } catch {
                lastError = error
                nodes.stop()
            }
        }
        throw BenchmarkError("cannot start the lbclient agents: \(lastError.map { "\($0)" } ?? "")")
    }

    private init(count: Int, in directory: URL, port: Int) throws {
        self.port = port
        addresses = (1...count).map { "127.79.0.\($0)" }
        roots = (0..<count).map { directory.appendingPathComponent("node\($0 + 1)") }
        let user = BenchmarkCredentials.user
        for (index, root) in roots.enumerated() {
            let files = [
                "etc/lbclient/lbclient.conf": "check nologin\nload constant \(10 * (index + 1))\n",
                "etc/lbclient/lbaliases": "lbalias=\(Self.alias)\n",
                "snmp.conf": """
                createUser \(user.name) SHA-256 "\(user.authentication!.password)" AES "\(user.privacy!.password)"
                rouser \(user.name) priv

                """,
            ]
            for (path, contents) in files {
                let url = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
            try? FileManager.default.removeItem(at: nologin(index))
        }
    }

    private func startAgents(lbclient: String, push: Push?) throws {
        for (index, root) in roots.enumerated() {
            let log = root.appendingPathComponent("agent.stderr").path
            try? FileManager.default.removeItem(atPath: log)
            var arguments = [
                "agent", "--listen", "\(addresses[index]):\(port)",
                "--snmp-config", root.appendingPathComponent("snmp.conf").path,
                "--cm", root.appendingPathComponent("etc/lbclient").path,
                "--ca", root.appendingPathComponent("etc/lbclient/lbaliases").path,
                "--root", root.path,
                // Every GET evaluates: lbd sees the node as it is, not a cached answer.
                "--cache-time", "0s",
                "--log-file", root.appendingPathComponent("lbclient.log").path,
            ]
            if let push {
                arguments += [
                    "--notify", push.listener, "--notify-source", addresses[index],
                    "--notify-user", BenchmarkCredentials.user.name, "--notify-interval", push.interval,
                ]
            }
            do {
                children.append(try ChildProcess(lbclient, arguments: arguments, standardError: .file(log)))
            } catch {
                throw BenchmarkError("cannot start \(lbclient): \(error)")
            }
        }
        // An agent says so on standard error once it listens, or exits (its port taken).
        let deadline = ContinuousClock.now + .seconds(10)
        for (index, child) in children.enumerated() {
            let log = roots[index].appendingPathComponent("agent.stderr").path
            while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("answering SNMP on") {
                guard child.isRunning, ContinuousClock.now < deadline else {
                    throw BenchmarkError(
                        "lbclient agent on \(addresses[index]):\(port) did not start: "
                            + (((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(1000)))
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    private func nologin(_ index: Int) -> URL { roots[index].appendingPathComponent("etc/nologin") }

    /// Creates the node's nologin file, as `touch /etc/nologin` does.
    func drain(_ address: String) throws {
        guard let index = addresses.firstIndex(of: address) else { return }
        guard FileManager.default.createFile(atPath: nologin(index).path, contents: Data()) else {
            throw BenchmarkError("cannot create \(nologin(index).path)")
        }
    }

    func restore(_ address: String) throws {
        guard let index = addresses.firstIndex(of: address) else { return }
        try FileManager.default.removeItem(at: nologin(index))
    }

    /// SIGTERM to each agent, SIGKILL after two seconds; no file left drained.
    func stop() {
        for child in children { child.stop(grace: .seconds(2)) }
        children = []
        for index in roots.indices { try? FileManager.default.removeItem(at: nologin(index)) }
    }
}
