import DNS
import Foundation
import LBCore
import LBTestSupport
import Logging
import NIOCore
import NIOPosix
import SNMP
import Testing

@testable import LBDaemonKit

/// Issue 15, part 1: lbd drives a real HAProxy (Debian's 2.6) through its runtime API, in front
/// of small HTTP servers on 127.0.0.2-4 whose loads in-process SNMP agents report.
///
/// Weights use the inverse mapping with max 200: loads 10, 20 and 40 give 200, 100 and 50, so
/// the three nodes should take 4/7, 2/7 and 1/7 of the requests. HAProxy's weighted round robin
/// is deterministic, so the tolerance is tight: 3 percentage points of the requests.
@Suite(.serialized) struct HAProxyPublisherInteropTests {
    static let hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    static let loadOID = OID(".1.3.6.1.4.1.96.255.1")!

    /// Everything one test runs: agents, HTTP nodes, HAProxy with a static backup server, and
    /// lbd's engine.
    final class Rig: Sendable {
        let agents: [SNMPAgent]
        let snmpPort: Int
        let responders: [NameResponder]
        let httpPort: Int
        let backup: NameResponder
        let haproxy: HAProxyInstance
        let assembly: EngineAssembly
        let configuration: Configuration

        init(
            loads: [Int32], members: [String], bestHosts: Int, haproxyHost: String = "127.0.0.1",
            extra: String = ""
        )
            async throws
        {
            let started = try await LoopbackAgents.start(loads)
            agents = started.agents
            snmpPort = started.port
            let http = try await NameResponder.start(hosts: HAProxyPublisherInteropTests.hosts)
            responders = http.responders
            httpPort = http.port
            backup = try await NameResponder.start(name: "backup", host: "127.0.0.1", port: 0)
            let backupPort = backup.port
            haproxy = try await HAProxyInstance(
                host: haproxyHost,
                staticServers: [
                    (name: "static-backup", address: "127.0.0.1:\(backupPort)", options: "backup")
                ])
            configuration = try Self.configuration(
                members: members, bestHosts: bestHosts, socket: haproxy.socketPath, httpPort: httpPort,
                snmpPort: snmpPort, extra: extra)
            assembly = try await EngineFactory.make(
                configuration: configuration,
                logger: Logger(label: "haproxy-test", factory: { _ in SwiftLogNoOpLogHandler() }),
                seed: 15)
        }

        static func configuration(
            members: [String], bestHosts: Int, socket: String, httpPort: Int, snmpPort: Int, extra: String
        ) throws -> Configuration {
            let text = """
                version: 1
                aliases:
                  app.lb.example.org:
                    members: [\(members.joined(separator: ", "))]
                    best_hosts: \(bestHosts)
                    haproxy:
                      socket: \(socket)
                      backend: web
                      weights: {min: 1, max: 200}
                      server_port: \(httpPort)
                \(extra)
                snmp: {version: v2c, community: public, port: \(snmpPort), timeout: 1s, retries: 0}

                """
            return try ConfigurationLoader.parse(text, file: "haproxy.yaml", format: nil).configuration
        }

        /// One evaluation; the HAProxy result of the alias `app`.
        func evaluate() async throws -> PublicationResult {
            let evaluations = await assembly.engine.evaluateAll()
            let app = try #require(evaluations.first { $0.decision.alias == "app.lb.example.org" })
            return try #require(app.results.first { $0.target.hasPrefix("haproxy ") })
        }

        func setLoad(_ node: Int, _ load: Int32) {
            agents[node].register(HAProxyPublisherInteropTests.loadOID, value: .integer(load))
        }

        /// The lbd servers of backend `web`, by name.
        func servers() async throws -> [String: HAProxyServerState] {
            Dictionary(uniqueKeysWithValues: try await haproxy.servers().map { ($0.name, $0) })
        }

        func stop() async {
            await assembly.shutdown()
            for agent in agents { await agent.stop() }
            for responder in responders + [backup] { await responder.stop() }
            haproxy.process.stop()
        }
    }

    @Test func weightsFollowTheLoadsFor2000Requests() async throws {
        guard Peers.available("haproxy") else { return }
        let rig = try await Rig(loads: [10, 20, 40], members: Self.hosts, bestHosts: -1)
        let result = try await rig.evaluate()
        #expect(result.action == .updated, "\(result)")
        let servers = try await rig.servers()
        #expect(servers["lbd-127.0.0.2"]?.weight == 200)
        #expect(servers["lbd-127.0.0.3"]?.weight == 100)
        #expect(servers["lbd-127.0.0.4"]?.weight == 50)
        #expect(servers.values.filter { $0.name.hasPrefix("lbd-") }.allSatisfy { $0.adminState == 0 })
        #expect(try await rig.evaluate().action == .unchanged)

        let counts = try await rig.haproxy.distribution(2000)
        let expected = ["127.0.0.2": 4.0 / 7, "127.0.0.3": 2.0 / 7, "127.0.0.4": 1.0 / 7]
        for (node, share) in expected {
            let measured = Double(counts[node] ?? 0) / 2000
            #expect(
                abs(measured - share) <= 0.03,
                "\(node): \(measured) of the requests, expected \(share): \(counts)")
        }
        #expect(counts["backup"] == nil, "\(counts)")
        await rig.stop()
    }

    @Test func aNodeNotChosenIsDrainedAndAFailedNodeIsInMaintenance() async throws {
        guard Peers.available("haproxy") else { return }
        let rig = try await Rig(loads: [10, 20, 40], members: Self.hosts, bestHosts: 2)
        #expect(try await rig.evaluate().action == .updated)
        var servers = try await rig.servers()
        #expect(servers["lbd-127.0.0.4"]?.isDraining == true)
        let before = rig.responders[2].requests
        let drained = try await rig.haproxy.distribution(300)
        #expect(drained["127.0.0.4"] == nil, "\(drained)")
        #expect(rig.responders[2].requests == before)

        rig.setLoad(1, -3)
        #expect(try await rig.evaluate().action == .updated)
        servers = try await rig.servers()
        #expect(servers["lbd-127.0.0.3"]?.isInMaintenance == true)
        #expect(servers["lbd-127.0.0.4"].map { !$0.isDraining && !$0.isInMaintenance } == true)
        let failed = try await rig.haproxy.distribution(300)
        #expect(failed["127.0.0.3"] == nil, "\(failed)")
        #expect((failed["127.0.0.4"] ?? 0) > 0, "\(failed)")
        await rig.stop()
    }

    @Test func membersAddedAndRemovedInTheConfigurationAppearAndDisappear() async throws {
        guard Peers.available("haproxy") else { return }
        let rig = try await Rig(loads: [10, 20, 40], members: ["127.0.0.2", "127.0.0.3"], bestHosts: -1)
        #expect(try await rig.evaluate().action == .updated)
        let first = Set(try await rig.servers().keys)
        #expect(first == ["static-backup", "lbd-127.0.0.2", "lbd-127.0.0.3"])

        let changed = try Rig.configuration(
            members: ["127.0.0.3", "127.0.0.4"], bestHosts: -1, socket: rig.haproxy.socketPath,
            httpPort: rig.httpPort,
            snmpPort: rig.snmpPort, extra: "")
        await rig.assembly.engine.reload(changed)
        #expect(try await rig.evaluate().action == .updated)
        let second = Set(try await rig.servers().keys)
        #expect(second == ["static-backup", "lbd-127.0.0.3", "lbd-127.0.0.4"])
        let counts = try await rig.haproxy.distribution(200)
        #expect(Set(counts.keys) == ["127.0.0.3", "127.0.0.4"], "\(counts)")
        await rig.stop()
    }

    @Test func afterAnHAProxyReloadTheWeightsComeBack() async throws {
        guard Peers.available("haproxy") else { return }
        let rig = try await Rig(loads: [10, 20, 40], members: Self.hosts, bestHosts: 2)
        #expect(try await rig.evaluate().action == .updated)
        try await rig.haproxy.reload()
        // The new worker knows only the configuration's servers.
        let afterReload = Set(try await rig.servers().keys)
        #expect(afterReload == ["static-backup"])
        #expect(try await rig.evaluate().action == .updated)
        let servers = try await rig.servers()
        #expect(servers["lbd-127.0.0.2"]?.weight == 200)
        #expect(servers["lbd-127.0.0.3"]?.weight == 100)
        #expect(servers["lbd-127.0.0.4"]?.isDraining == true)
        let counts = try await rig.haproxy.distribution(300)
        #expect(
            counts["127.0.0.4"] == nil && (counts["127.0.0.2"] ?? 0) > (counts["127.0.0.3"] ?? 0), "\(counts)"
        )
        await rig.stop()
    }

    /// HAProxy killed mid-run (SIGKILL) and started again: while it is down the publication is
    /// a connection failure on the stale socket file; the fresh process, on a new socket at the
    /// same path, has none of lbd's servers, and the next evaluation puts them all back.
    @Test func afterHAProxyIsKilledAndStartedAgainTheStateComesBack() async throws {
        guard Peers.available("haproxy") else { return }
        let rig = try await Rig(loads: [10, 20, 40], members: Self.hosts, bestHosts: 2)
        #expect(try await rig.evaluate().action == .updated)

        try rig.haproxy.kill()
        let down = try await rig.evaluate()
        guard case .failed(let failure) = down.action else {
            Issue.record("expected a failure while HAProxy is down, got \(down)")
            await rig.stop()
            return
        }
        #expect(failure.code == .connectionFailed, "\(failure)")

        try await rig.haproxy.startAgain()
        #expect(Set(try await rig.servers().keys) == ["static-backup"])
        #expect(try await rig.evaluate().action == .updated)
        let servers = try await rig.servers()
        #expect(servers["lbd-127.0.0.2"]?.weight == 200)
        #expect(servers["lbd-127.0.0.3"]?.weight == 100)
        #expect(servers["lbd-127.0.0.4"]?.isDraining == true)
        #expect(try await rig.evaluate().action == .unchanged)
        let counts = try await rig.haproxy.distribution(300)
        #expect(
            counts["127.0.0.4"] == nil && (counts["127.0.0.2"] ?? 0) > (counts["127.0.0.3"] ?? 0), "\(counts)"
        )
        await rig.stop()
    }

    /// Something on the socket that is not HAProxy, or an HAProxy cut off mid-answer: the
    /// publication fails as a malformed response, never as a success with half a backend.
    @Test func garbageOrACutAnswerIsAMalformedResponse() async throws {
        let header = HAProxyRuntimeParsingTests.header
        let answers = [
            "HTTP/1.1 400 Bad Request\r\n\r\n",
            "",
            "\n> Name: HAProxy\nPid: 12\n\n> 1\n\(header)\n3 web 1 lbd-127.0.0.2 127.0.0.2 2 0",
            "\n> Name: HAProxy\nPid: 12\n\n> ",
            "\n> Name: HAProxy\nPid: 12\n\n> not a table\n\n> ",
        ]
        for answer in answers {
            let fake = try await ScriptedRuntimeAPI(answers: [answer])
            let settings = HAProxySettings(
                socket: .tcp(ServerAddress(host: "127.0.0.1", port: fake.port)), backend: "web")
            let publisher = HAProxyPublisher(
                socket: settings.socket, aliases: ["app.lb.example.org": settings],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let publication = Publication(
                alias: "app.lb.example.org", addresses: [], ttl: 60,
                decision: HAProxyPlanTests.decision([10, 20], best: 1))
            let results = await publisher.publish(publication, dryRun: false)
            await fake.stop()
            #expect(fake.batches == 1, "\(answer.debugDescription)")
            guard case .failed(let failure) = results.first?.action else {
                Issue.record("expected a failure for \(answer.debugDescription), got \(results)")
                continue
            }
            #expect(failure.code == .malformedResponse, "\(answer.debugDescription): \(failure)")
        }
    }

    @Test func aDryRunChangesNothing() async throws {
        guard Peers.available("haproxy") else { return }
        let rig = try await Rig(loads: [10, 20, 40], members: Self.hosts, bestHosts: 2)
        let settings = try #require(rig.configuration.aliases.first?.haproxy)
        let publisher = HAProxyPublisher(
            socket: settings.socket, aliases: ["app.lb.example.org": settings], logger: Logger(label: "test"))
        let decision = HAProxyPlanTests.decision([10, 20, 40], best: 2)
        var publication = Publication(alias: "app.lb.example.org", addresses: [], ttl: 60, decision: decision)
        publication.decision?.alias = "app.lb.example.org"
        let results = await publisher.publish(publication, dryRun: true)
        #expect(results.map(\.action) == [.wouldUpdate])
        let untouched = Set(try await rig.servers().keys)
        #expect(untouched == ["static-backup"])
        await rig.stop()
    }

    @Test func aRefusedCommandIsATypedFailure() async throws {
        guard Peers.available("haproxy") else { return }
        let rig = try await Rig(loads: [10, 20, 40], members: Self.hosts, bestHosts: 2)
        var settings = try #require(rig.configuration.aliases.first?.haproxy)
        settings.backend = "nosuchbackend"
        let publisher = HAProxyPublisher(
            socket: settings.socket, aliases: ["app.lb.example.org": settings], logger: Logger(label: "test"))
        let publication = Publication(
            alias: "app.lb.example.org", addresses: [], ttl: 60,
            decision: HAProxyPlanTests.decision([10], best: 1))
        let results = await publisher.publish(publication, dryRun: false)
        guard case .failed(let failure) = results.first?.action else {
            Issue.record("expected a failure, got \(results)")
            return
        }
        #expect(failure.code == .rejected && failure.message.contains("nosuchbackend"), "\(failure)")

        settings.socket = .unix(path: rig.haproxy.socketPath + ".missing")
        let unreachable = HAProxyPublisher(
            socket: settings.socket, aliases: ["app.lb.example.org": settings], logger: Logger(label: "test"))
        let missing = await unreachable.publish(publication, dryRun: false)
        guard case .failed(let refused) = missing.first?.action else {
            Issue.record("expected a failure, got \(missing)")
            return
        }
        #expect(refused.code == .connectionFailed, "\(refused)")
        await rig.stop()
    }

    @Test func answersAreBoundedInSizeAndTime() async throws {
        guard Peers.available("haproxy") else { return }
        let haproxy = try await HAProxyInstance(staticServers: [])
        let small = HAProxyRuntimeClient(socket: .unix(path: haproxy.socketPath), maximumAnswerBytes: 100)
        let tooLarge = await Self.code { _ = try await small.run(["show info"]) }
        #expect(tooLarge == .answerTooLarge)
        haproxy.process.stop()

        // A listener that accepts and never answers.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        let client = HAProxyRuntimeClient(
            socket: .tcp(ServerAddress(host: "127.0.0.1", port: port)), timeout: .milliseconds(300))
        let silence = await Self.code { _ = try await client.run(["show info"]) }
        #expect(silence == .timeout)
        try await silent.close()
    }

    private static func code(_ body: () async throws -> Void) async -> HAProxyRuntimeError.Code? {
        do {
            try await body()
            return nil
        } catch {
            return (error as? HAProxyRuntimeError)?.code
        }
    }

    /// The seed's scenario: lbd publishes the HAProxy instance's own address in DNS (alias
    /// `www`, member 127.0.0.5 where HAProxy listens) while it drives HAProxy's backend from the
    /// alias `app`, which the embedded DNS server publishes too.
    @Test func dnsAndHAProxyPublishersServeTogether() async throws {
        guard Peers.available("haproxy") else { return }
        let (agents, snmpPort) = try await LoopbackAgents.start([10, 20, 40, 5])
        let (responders, httpPort) = try await NameResponder.start(hosts: Self.hosts)
        let haproxy = try await HAProxyInstance(host: "127.0.0.5", staticServers: [])
        let logger = Logger(label: "haproxy-dns", factory: { _ in SwiftLogNoOpLogHandler() })
        let embedded = try await EmbeddedZoneServer.start(
            EmbeddedDNSSettings(listen: ServerAddress(host: "127.0.0.1", port: 0), zone: "lb.example.org."),
            logger: logger)
        let configuration = try Rig.configuration(
            members: Self.hosts, bestHosts: 2, socket: haproxy.socketPath, httpPort: httpPort,
            snmpPort: snmpPort,
            extra: """
                  www.lb.example.org:
                    members: [127.0.0.5]
                    best_hosts: 1
                """)
        let assembly = try await EngineFactory.make(
            configuration: configuration, logger: logger, seed: 15, embedded: embedded)
        let evaluations = await assembly.engine.evaluateAll()
        let app = try #require(evaluations.first { $0.decision.alias == "app.lb.example.org" })
        #expect(app.results.count == 2 && app.results.allSatisfy { $0.action == .updated }, "\(app.results)")

        let reader = ZonePublisherTests.ZoneReader(server: embedded.address)
        let www = try await reader.addresses("www.lb.example.org")
        let appRecords = try await reader.addresses("app.lb.example.org")
        let servers = try await haproxy.servers()
        let counts = try await haproxy.distribution(100)

        await assembly.shutdown()
        await embedded.stop()
        for agent in agents { await agent.stop() }
        for responder in responders { await responder.stop() }
        haproxy.process.stop()

        #expect(www?.map { $0.split(separator: " ")[0] } == ["127.0.0.5"])
        #expect(appRecords?.map { $0.split(separator: " ")[0] } == ["127.0.0.2", "127.0.0.3"])
        #expect(
            servers.filter { !$0.isDraining && !$0.isInMaintenance }.map(\.name).sorted() == [
                "lbd-127.0.0.2", "lbd-127.0.0.3",
            ])
        #expect(Set(counts.keys) == ["127.0.0.2", "127.0.0.3"], "\(counts)")
    }
}
