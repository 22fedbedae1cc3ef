import Foundation
import ProcessSpawning

/// The one-shot part of `lbbench lbclient`: wall and CPU time of one `lbclient` run, as snmpd's
/// `pass` starts it for every request, for four configurations of growing weight. With a
/// compare program (`--compare PATH`, e.g. golbclient) both run the same command lines on the
/// same files, interleaved run by run, and the ratio of the medians is printed.
///
/// The command lines use only options golbclient has too (`--cm`, `--ca`, `--version`), so the
/// checks read the real system: `/etc/nologin`, `/tmp`, and `/proc/net/tcp`, where the
/// benchmark itself listens on the three ports of the daemon checks. Ours finds the fake
/// collectdctl through `LBCLIENT_COLLECTDCTL`; golbclient always runs `/usr/bin/collectdctl`.
struct LBClientOneShotBenchmark {
    let lbclient: String
    let compare: String?
    let runs: Int

    /// One configuration: what is measured, and the command line.
    struct Case {
        var name: String
        var arguments: [String]
        /// Whether both programs must print the same answer (not for `--version`).
        var comparesAnswers = true
    }

    func run() throws {
        let node = try OneShotNode()
        defer { node.remove() }
        setenv("LBCLIENT_COLLECTDCTL", node.collectdctl, 1)
        setenv("LBCLIENT_COLLECTD_SOCKET", node.root.appendingPathComponent("no-socket").path, 1)
        print("# one-shot runs, \(runs) of each program per configuration, interleaved")
        print("# ours:    \(lbclient)")
        if let compare { print("# compare: \(compare)") }
        print("# typical = nologin, 3 daemon ports, tmpfull, a command, a collectd expression, a constant")
        for benchmarkCase in node.cases {
            var ours = Samples()
            var theirs = Samples()
            for index in 0..<runs {
                // Alternate who goes first, so neither always runs on a warmer cache.
                let oursFirst = index % 2 == 0
                if !oursFirst, let compare { theirs.add(try timedRun(compare, benchmarkCase.arguments)) }
                ours.add(try timedRun(lbclient, benchmarkCase.arguments))
                if oursFirst, let compare { theirs.add(try timedRun(compare, benchmarkCase.arguments)) }
            }
            report(benchmarkCase, ours, compare == nil ? nil : theirs)
        }
    }

    private func report(_ benchmarkCase: Case, _ ours: Samples, _ theirs: Samples?) {
        print("\(benchmarkCase.name):")
        print("  ours     \(ours.summary)")
        guard let theirs else { return }
        print("  compare  \(theirs.summary)")
        print(
            String(
                format: "  ours/compare: median %.2f, p90 %.2f, CPU %.2f", ours.median / theirs.median,
                ours.p90 / theirs.p90, ours.cpu / theirs.cpu))
        if benchmarkCase.comparesAnswers, ours.answer != theirs.answer || ours.status != theirs.status {
            print("  NOTE: the answers differ (the timings are not comparable):")
            print("    ours:    status \(ours.status), \(ours.answer.debugDescription)")
            print("    compare: status \(theirs.status), \(theirs.answer.debugDescription)")
        }
    }

    /// One run: wall milliseconds, CPU milliseconds of the program and its children, and what it
    /// printed on stdout.
    private func timedRun(_ program: String, _ arguments: [String]) throws -> (
        wall: Double, cpu: Double, status: Int32, output: String
    ) {
        let cpuBefore = childrenCPUMilliseconds()
        let started = DispatchTime.now()
        let result = try CapturedRun.run(program, arguments: arguments, timeout: .seconds(300))
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        switch result {
        case .finished(let termination, let output, _):
            return (
                wall, childrenCPUMilliseconds() - cpuBefore, termination.shellStatus,
                String(decoding: output, as: UTF8.self)
            )
        case .timedOut, .cancelled:
            throw BenchmarkError("\(program) did not finish within 300 s and was killed")
        }
    }
}

/// The runs of one program on one configuration.
private struct Samples {
    private var walls: [Double] = []
    private var cpus: [Double] = []
    private(set) var answer = ""
    private(set) var status: Int32 = 0

    mutating func add(_ run: (wall: Double, cpu: Double, status: Int32, output: String)) {
        walls.append(run.wall)
        cpus.append(run.cpu)
        answer = run.output
        status = run.status
    }

    var median: Double { percentile(walls.sorted(), 0.5) }
    var p90: Double { percentile(walls.sorted(), 0.9) }
    var cpu: Double { cpus.reduce(0, +) / Double(max(1, cpus.count)) }

    var summary: String {
        String(
            format:
                "wall median %.2f ms, p90 %.2f ms, min %.2f ms; CPU %.2f ms per run (with its children); exit %d",
            median, p90, walls.min() ?? 0, cpu, status)
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

/// The files of the four configurations under a temporary directory, and three listening TCP
/// sockets for the daemon checks.
private struct OneShotNode {
    let root: URL
    let collectdctl: String
    let cases: [LBClientOneShotBenchmark.Case]
    private let listeners: [Int32]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lbbench-oneshot-\(UUID())")
        var sockets: [Int32] = []
        var ports: [Int] = []
        for _ in 0..<3 {
            let (socket, port) = try Self.listen()
            sockets.append(socket)
            ports.append(port)
        }
        listeners = sockets
        collectdctl = root.appendingPathComponent("bin/collectdctl").path
        let typical = """
            check nologin
            check daemon {"port": \(ports[0]), "protocol": "tcp"}
            check daemon {"port": \(ports[1]), "protocol": "tcp"}
            check daemon {"port": \(ports[2]), "protocol": "tcp"}
            check tmpfull
            check command test -d /
            check collectd [load/load:shortterm] < 20 && [memory/memory-free] > 1e6
            load constant 100

            """
        let files: [String: String] = [
            "light/lbclient.conf": "check nologin\nload constant 100\n",
            "light/lbaliases": "lbalias=bench1.cern.ch\n",
            "typical/lbclient.conf": typical,
            "typical/lbaliases": "lbalias=bench1.cern.ch\n",
            // golbclient only reads alias files named *.cern.ch.
            "aliases/lbclient.conf.bench1.cern.ch": typical,
            "aliases/lbclient.conf.bench2.cern.ch": typical,
            "aliases/lbclient.conf.bench3.cern.ch": typical,
            "aliases/lbaliases": "lbalias=bench1.cern.ch\nlbalias=bench2.cern.ch\nlbalias=bench3.cern.ch\n",
            "bin/collectdctl": """
            #!/bin/sh
            case "$2" in
            load/load) printf 'shortterm=5.000000e-01\\nmidterm=4.000000e-01\\nlongterm=3.000000e-01\\n' ;;
            memory/memory-free) printf 'value=8.000000e+09\\n' ;;
            *) exit 1 ;;
            esac

            """,
        ]
        do {
            for (path, contents) in files {
                let url = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: collectdctl)
        } catch {
            for socket in sockets { close(socket) }
            try? FileManager.default.removeItem(at: root)
            throw error
        }
        let base = root
        let directory = { (name: String) in base.appendingPathComponent(name).path }
        cases = [
            .init(name: "process start (--version)", arguments: ["--version"], comparesAnswers: false),
            .init(
                name: "check nologin + load constant",
                arguments: ["--cm", directory("light"), "--ca", directory("light") + "/lbaliases"]),
            .init(
                name: "typical node",
                arguments: ["--cm", directory("typical"), "--ca", directory("typical") + "/lbaliases"]),
            .init(
                name: "3 aliases x typical",
                arguments: ["--cm", directory("aliases"), "--ca", directory("aliases") + "/lbaliases"]),
        ]
    }

    func remove() {
        for socket in listeners { close(socket) }
        try? FileManager.default.removeItem(at: root)
    }

    /// A TCP socket listening on 127.0.0.1 on a port the kernel picks.
    private static func listen() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && Glibc.listen(descriptor, 16) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw BenchmarkError("cannot listen on 127.0.0.1: \(reason)")
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// User plus system CPU time, in milliseconds, of the children this process has waited for.
private func childrenCPUMilliseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return (Double(usage.ru_utime.tv_sec) + Double(usage.ru_stime.tv_sec)) * 1000
        + (Double(usage.ru_utime.tv_usec) + Double(usage.ru_stime.tv_usec)) / 1000
}
