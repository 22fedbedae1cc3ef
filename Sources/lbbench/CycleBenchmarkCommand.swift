import ArgumentParser
import Foundation
import LBCore
import LBDaemonKit
// Not a declared dependency of lbbench: the engine's initialiser takes a Logger.
import Logging
import NIOCore
import SNMP
import Synchronization

/// `lbbench cycle`: one evaluation of every alias by lbd's own engine (EvaluationEngine,
/// NodePoller, SNMPNodeProbe, SNMPClient) against a simulated fleet answering real SNMP on
/// loopback, timed as a whole.
struct CycleBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cycle",
        abstract: "Wall time, CPU, peak RSS and polls per second of one evaluation of every alias.",
        discussion: """
            Starts --nodes simulated nodes in a child process, each on its own 127.x.y.z address \
            and one UDP port, all answered by a few wildcard sockets from the address asked: \
            live nodes answer a load from 1 to 999 (v2c community public, or with --v3 user \
            bench at authPriv and an engine per node; every --per-alias-every-th live node \
            answers alias=load,...), the --dead share never answers. Builds --aliases aliases of \
            a handful of members each, then runs EvaluationEngine.evaluateAll() --cycles times \
            without publishers and prints what each cycle cost this process, and the peak RSS \
            of the fleet's process.
            """
    )

    @Option(help: "Member nodes in the fleet.") var nodes = 10_000
    @Option(help: "Aliases, each with 2 to 9 members.") var aliases = 2_000
    @Option(help: "Share of nodes that never answer, e.g. 5%.") var dead = Percentage(argument: "5%")!
    @Option(help: "Seconds to wait for one SNMP answer.") var timeout = 2.0
    @Option(help: "Extra attempts after a timeout.") var retries = 0
    @Option(help: "Requests in flight at most (SNMP concurrency).") var concurrency = SNMPSettings()
        .concurrency
    @Option(
        help: """
            Milliseconds a poll holds one of the --concurrency slots at most (lbd's default); \
            0 holds it until the poll ends, as lbd did before.
            """)
    var promptWindow = Int(NodePoller.Bounds.defaultPromptWindow / .milliseconds(1))
    @Option(help: "Polls under way at once, past their prompt window included (default: lbd's).")
    var outstanding: Int?
    @Option(help: "Every n-th live node answers per alias (0: none).") var perAliasEvery = 10
    @Option(help: "Evaluations in a row; the later ones reuse resolved addresses.") var cycles = 2
    @Option(help: "Seed of the fleet and of the tie-breaks.") var seed: UInt64 = 2026
    @Flag(help: "Poll with SNMPv3 at authPriv (SHA-256, AES-128) instead of v2c.") var v3 = false
    @Flag(help: "Poll with a task per node, as lbd did before batch polls, to compare.")
    var taskPerPoll = false

    func validate() throws {
        guard (1...1_000_000).contains(nodes), (1...1_000_000).contains(aliases),
            (0.01...60).contains(timeout),
            (0...5).contains(retries), (1...100_000).contains(concurrency), perAliasEvery >= 0,
            (1...10).contains(cycles)
        else {
            throw ValidationError(
                "--nodes 1...1000000, --aliases 1...1000000, --timeout 0.01...60, --retries 0...5, "
                    + "--concurrency 1...100000, --per-alias-every 0 or more, --cycles 1...10")
        }
    }

    func run() async throws {
        let port = try LoopbackPort.freeUDP()
        // The fleet's description lives only to build the configuration and the expectations.
        let (aliasConfigurations, expectations) = {
            let fleet = CycleFleet(
                nodes: nodes, aliases: aliases, deadFraction: dead.fraction, perAliasEvery: perAliasEvery,
                seed: seed)
            let memberships = fleet.members.reduce(0) { $0 + $1.count }
            print(
                "# lbbench cycle on \(ProcessInfo.processInfo.activeProcessorCount) cores: \(nodes) nodes "
                    + "(\(fleet.dead.count { $0 }) dead, \(fleet.answersPerAlias.count { $0 }) per-alias), "
                    + "\(aliases) aliases (\(memberships) memberships, "
                    + "\(fleet.aliasesOfNode.count { $0.count > 1 }) nodes shared), \(v3 ? "v3 authPriv" : "v2c") "
                    + "timeout \(timeout) s, "
                    + "retries \(retries), concurrency \(concurrency), prompt window \(promptWindow) ms, "
                    + "outstanding \(outstanding.map(String.init) ?? "default")")
            let aliases = fleet.aliasNames.enumerated().map { index, name in
                AliasConfiguration(
                    name: name, members: fleet.members[index].map { fleet.nodeNames[$0] },
                    parameters: AliasParameters(bestHosts: .count(2)))
            }
            return (aliases, CycleExpectations(fleet))
        }()
        let started = ContinuousClock.now
        let child = try BenchmarkChild([
            "cycle-agents",
            "--nodes", String(nodes), "--aliases", String(aliases), "--dead", dead.description,
            "--per-alias-every", String(perAliasEvery), "--seed", String(seed), "--port", String(port),
        ])
        defer { child.stop() }
        let fleetPID = child.readyWords.first.flatMap { Int32($0) }
        print(String(format: "agents ready in %.1f s", (ContinuousClock.now - started).seconds))

        let user = BenchmarkCredentials.user
        let settings = SNMPSettings(
            version: v3 ? .v3 : .v2c, port: port, community: BenchmarkCredentials.community,
            user: user.name, authProtocol: user.authentication!.method,
            authPassword: user.authentication!.password, privProtocol: user.privacy!.method,
            privPassword: user.privacy!.password, timeout: timeout, retries: retries,
            concurrency: concurrency)
        let configuration = Configuration(aliases: aliasConfigurations, snmp: settings)
        // As lbd runs: the same bounds.
        let bounds = NodePoller.Bounds(
            concurrency: settings.concurrency,
            promptWindow: promptWindow > 0 ? .milliseconds(promptWindow) : nil,
            maximumOutstanding: outstanding)
        let client = try await SNMPClient.start(maximumInFlight: bounds.clientRequests)
        let probe = AnswerClockProbe(
            wrapping: SNMPNodeProbe(client: client, settings: settings), batches: !taskPerPoll)
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: settings.port, resolve: Self.resolver(for: expectations)),
            probe: probe, bounds: bounds)
        var logger = Logger(label: "lbd", factory: { _ in DiscardingLogHandler() })
        // lbd's default level: every alias's line is built, as in the daemon, then dropped.
        logger.logLevel = .info
        let phases = PollDurationObserver()
        let engine = EvaluationEngine(
            configuration: configuration, poller: poller, publishers: [], logger: logger, seed: seed,
            observers: [phases])

        let rssBefore = peakRSSKilobytes()
        print(String(format: "peak RSS before the first cycle: %.1f MB", Double(rssBefore) / 1024))
        for cycle in 1...cycles {
            probe.restart()
            let cpuBefore = processCPUSeconds()
            let cycleStarted = ContinuousClock.now
            let evaluations = await engine.evaluateAll()
            let wall = (ContinuousClock.now - cycleStarted).seconds
            let cpu = processCPUSeconds() - cpuBefore
            let check = CycleCheck(evaluations.map(\.decision), fleet: expectations)
            print(
                CycleFigures(
                    cycle: cycle, wall: wall, cpu: cpu, peakRSSKilobytes: peakRSSKilobytes(),
                    lastAnswer: probe.lastAnswer, polling: phases.lastPollDuration, check: check
                ).line)
        }
        if let fleetPID, let fleetPeak = peakRSSKilobytes(of: fleetPID) {
            print(String(format: "fleet process: peak RSS %.1f MB", Double(fleetPeak) / 1024))
        }
        await client.shutdown()
    }

    /// Node names to their loopback addresses, in place of DNS: the book's own caching is kept.
    private static func resolver(for fleet: CycleExpectations) -> NodeAddressBook.Resolve {
        { node, port in
            guard let index = fleet.node(named: node) else {
                throw BenchmarkError("\(node) is not in the fleet")
            }
            return [try SocketAddress(ipAddress: CycleFleet.address(of: index), port: port)]
        }
    }
}

/// What one cycle cost and found.
struct CycleFigures {
    var cycle: Int
    var wall: Double
    var cpu: Double
    var peakRSSKilobytes: Int
    var lastAnswer: Double?
    /// From the first poll to the last report (the dead nodes' timeouts included).
    var polling: Double?
    var check: CycleCheck

    var line: String {
        let polls = Double(check.polled)
        let answered = check.answered
        return String(
            format:
                "cycle %d: wall %.2f s (polling %.2f s), CPU %.2f s (%.0f µs per poll), peak RSS %.1f MB, %.0f polls/s; "
                + "%d polled: %d answered (last answer at %.2f s, %.0f answers/s), %d timed out, %d other; "
                + "%d aliases published (%d with 2 addresses), %d kept; %d member outcomes differ from the fleet",
            cycle, wall, polling ?? wall, cpu, cpu * 1e6 / max(polls, 1), Double(peakRSSKilobytes) / 1024,
            polls / wall,
            check.polled, answered, lastAnswer ?? 0, Double(answered) / max(lastAnswer ?? wall, 1e-9),
            check.timedOut, check.polled - answered - check.timedOut, check.published, check.publishedTwo,
            check.kept, check.mismatches)
    }
}

/// The decisions of one cycle held against the fleet: every live node's load must have come
/// through, every dead node must have timed out, and each alias must publish its two least loaded
/// live members.
struct CycleCheck {
    var polled = 0
    var answered = 0
    var timedOut = 0
    var published = 0
    var publishedTwo = 0
    var kept = 0
    var mismatches = 0

    init(_ decisions: [Decision], fleet: CycleExpectations) {
        var seen: Set<String> = []
        for decision in decisions {
            guard let alias = fleet.alias(named: decision.alias) else {
                mismatches += 1
                continue
            }
            if let publish = decision.publish {
                published += 1
                if publish.count == 2 { publishedTwo += 1 }
            } else {
                kept += 1
            }
            var expectedLoads: [Int] = []
            for member in decision.members {
                guard let node = fleet.node(named: member.node) else {
                    mismatches += 1
                    continue
                }
                let expected = fleet.expectedLoad(node: node, alias: alias)
                if let expected { expectedLoads.append(expected) }
                if seen.insert(member.node).inserted {
                    polled += 1
                    if case .usable = member.evaluation.state { answered += 1 }
                    if member.evaluation.state.failure?.isSilence == true { timedOut += 1 }
                }
                switch (member.evaluation.state, expected) {
                case (.usable(let load), let expected?) where load == expected: break
                case (.failed(let failure), nil) where failure.isSilence: break
                default: mismatches += 1
                }
            }
            // Ties at the cut make either member right; the loads chosen must be the lowest ones.
            let chosenLoads = decision.chosen.compactMap(\.evaluation.load).sorted()
            if chosenLoads != Array(expectedLoads.sorted().prefix(2)) { mismatches += 1 }
        }
    }
}

/// Keeps how long the engine's last batch spent polling, to tell it from deciding.
final class PollDurationObserver: EvaluationObserver {
    private let duration = Mutex<Double?>(nil)

    var lastPollDuration: Double? { duration.withLock { $0 } }

    func observe(_ round: EvaluationRound) async {
        duration.withLock { $0 = round.pollDuration.seconds }
    }
}

/// Passes polls through and notes when the latest answer of the cycle came back, which tells
/// how long the live nodes took apart from the dead ones' timeout.
final class AnswerClockProbe: BatchNodeProbe {
    private let probe: any NodeProbe
    private let started = Mutex<ContinuousClock.Instant>(.now)
    private let latest = Mutex<ContinuousClock.Instant?>(nil)
    /// Whether the wrapped probe's batches are used (`--task-per-poll` turns them off).
    private let batches: Bool

    init(wrapping probe: any NodeProbe, batches: Bool) {
        self.probe = probe
        self.batches = batches
    }

    var pollsInBatches: Bool { batches && (probe as? any BatchNodeProbe)?.pollsInBatches == true }

    func poll(
        batch addresses: [SocketAddress], pacing: SNMPClient.BatchPacing,
        started: @escaping @Sendable () -> Void,
        deliver: @escaping @Sendable (Int, AddressReply, Duration) -> Void
    ) async {
        guard let batch = probe as? any BatchNodeProbe else {
            await pollOneByOne(addresses, started: started, deliver: deliver)
            return
        }
        await batch.poll(batch: addresses, pacing: pacing, started: started) { address, reply, elapsed in
            self.noteAnswer(reply)
            deliver(address, reply, elapsed)
        }
    }

    func restart() {
        started.withLock { $0 = .now }
        latest.withLock { $0 = nil }
    }

    /// Seconds from `restart()` to the latest answer; nil when nothing answered.
    var lastAnswer: Double? {
        let start = started.withLock { $0 }
        return latest.withLock { $0 }.map { ($0 - start).seconds }
    }

    func poll(_ address: SocketAddress) async -> AddressReply {
        let reply = await probe.poll(address)
        noteAnswer(reply)
        return reply
    }

    private func noteAnswer(_ reply: AddressReply) {
        if case .failure(let failure) = reply, failure.isSilence { return }
        let now = ContinuousClock.now
        latest.withLock { $0 = max($0 ?? now, now) }
    }
}

/// The engine's log lines are built as in the daemon and dropped here, so that the figures do not
/// include writing 2,000 lines to a terminal.
struct DiscardingLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {}
}

/// The most memory this process has held so far (ru_maxrss, kilobytes on Linux).
func peakRSSKilobytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

/// The most memory process `pid` has held so far (VmHWM, kilobytes); nil when unreadable.
func peakRSSKilobytes(of pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return nil }
    return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
