import Foundation
import LBTestSupport
import SNMP
import Synchronization
import Testing

@testable import LBClientKit

/// A gate an evaluation waits behind, standing for a check that hangs until the test is done.
private final class Gate: Sendable {
    private let isOpen = Mutex(false)
    func open() { isOpen.withLock { $0 = true } }

    /// Waits until opened (at most `limit`, so a failed test cannot hang the run).
    func pass(limit: Duration = .seconds(30)) async {
        let end = ContinuousClock.now + limit
        while !isOpen.withLock({ $0 }) && ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A check slower than any poller's patience never holds an answer: the cache, the agent and
/// the process stay responsive.
@Suite("Answers while checks are slow", .serialized)
struct SlowCheckAnswerTests {
    /// The first evaluation answers 250 at once, every later one hangs behind `gate`.
    private static func cache(maximumAge: Duration, gate: Gate, started: Counter) -> AnswerCache {
        AnswerCache(maximumAge: maximumAge, longestWait: .milliseconds(200)) {
            started.increment()
            if started.value == 1 { return .integer(250) }
            await gate.pass()
            return .integer(7)
        }
    }

    @Test func aSlowRefreshServesThePreviousAnswerEvenWithoutCaching() async {
        let gate = Gate()
        defer { gate.open() }
        let started = Counter()
        let cache = Self.cache(maximumAge: .zero, gate: gate, started: started)
        #expect(await cache.answer() == .integer(250))
        // Every request wants a fresh evaluation; the one running hangs, so each gets 250.
        for _ in 0..<3 { #expect(await cache.answer() == .integer(250)) }
        #expect(started.value == 2, "requests share the one evaluation still running")
        gate.open()
        var refreshed: PassAnswer?
        for _ in 0..<100 {
            refreshed = await cache.answer()
            if refreshed == .integer(7) { break }
        }
        #expect(refreshed == .integer(7))
    }

    @Test func aHangingFirstEvaluationGivesNoAnswerRatherThanNone() async {
        let gate = Gate()
        defer { gate.open() }
        let cache = AnswerCache(maximumAge: .seconds(10), longestWait: .milliseconds(100)) {
            await gate.pass()
            return .integer(1)
        }
        #expect(await cache.answer() == nil)
        #expect(ClientAgent.value(of: await cache.answer()) == .noSuchInstance)
    }

    @Test func theAgentAnswersSNMPFromItsCacheWhileAnEvaluationHangs() async throws {
        guard Peers.available("snmpget") else { return }
        let gate = Gate()
        defer { gate.open() }
        let started = Counter()
        let cache = Self.cache(maximumAge: .zero, gate: gate, started: started)
        let agent = ClientAgent(
            configuration: SNMPAgentConfiguration(host: "127.0.0.1", port: 0, communities: ["public"]),
            cache: cache)
        let address = try await agent.start()
        defer { Task { await agent.stop() } }
        let port = try #require(address.port)
        for attempt in 0..<4 {
            // snmpget gives up after 2 s; the hanging evaluation would take 30 s.
            let run = try await Task.detached {
                try Peers.run(
                    Peers.find("snmpget")!,
                    [
                        "-v2c", "-c", "public", "-On", "-t", "2", "-r", "0", "127.0.0.1:\(port)",
                        ".1.3.6.1.4.1.96.255.1",
                    ],
                    timeout: 20)
            }.value
            #expect(run.status == 0, "attempt \(attempt): \(run.errors)")
            #expect(run.output.contains("INTEGER: 250"), "attempt \(attempt): \(run.output)")
        }
        #expect(started.value == 2)
    }

    @Test func theAgentExitsPromptlyOnSIGTERMWhileACheckHangs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let text = String(repeating: "a", count: 40) + "b"
        try scratch.write(
            "etc/lbclient.conf",
            "check command echo $$ > \(scratch.path)/check.pid; exec sleep 60\n"
                + String(repeating: "load lemon '\(text)' =~ '(a+)+$' ? 1 : 2\n", count: 3)
                + "load constant 250\n")
        try scratch.write("etc/lbaliases", "lbalias=a.example.org\n")
        let access = try scratch.write("agent.conf", "rocommunity public 127.0.0.1\n")
        let port = try Peers.freeUDPPort()
        let agent = try PeerProcess(
            LBClientBinary.path,
            [
                "agent", "--listen", "127.0.0.1:\(port)", "--snmp-config", access, "--cache-time", "0",
                "--log-file", scratch.path + "/agent.log", "--cm", scratch.path + "/etc", "--ca",
                scratch.path + "/etc/lbaliases", "--root", scratch.path,
            ])
        defer { agent.stop() }
        // Let it start and begin the hanging evaluation.
        Thread.sleep(forTimeInterval: 1.5)
        #expect(agent.waitForExit(timeout: 0) == nil, "the agent should still be running")
        kill(agent.pid, SIGTERM)
        // Generous: the agent exits within 1 s; a loaded machine may add some.
        let status = agent.waitForExit(timeout: 3)
        #expect(status != nil, "lbclient agent still running 3 s after SIGTERM")
        // The hanging check runs in a process group of its own: the agent kills it as it exits.
        let written = try? String(contentsOfFile: scratch.path + "/check.pid", encoding: .utf8)
        let pid = try #require(written.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        let deadline = ContinuousClock.now + .seconds(3)
        while Self.isAlive(pid), ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!Self.isAlive(pid), "the check's `sleep 60` outlived the agent")
        if Self.isAlive(pid) { kill(pid, SIGKILL) }
    }

    /// Whether `pid` runs: it exists and is not a zombie waiting for a parent to reap it.
    private static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // The state follows the command name in parentheses: "123 (sleep) Z ...".
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].dropFirst().trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
