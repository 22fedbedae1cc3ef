import DNS
import Foundation
import LBCore
import LBTestSupport
import Logging
import NIOPosix
import SNMP
import Synchronization
import Testing

@testable import LBDaemonKit

/// Issue 12, item 1: a flood against the embedded DNS server cannot change a decision, because
/// the server answers on event loops of its own, apart from polling and publishing.
@Suite(.serialized) struct DNSFloodIsolationTests {
    private static let configurationText = """
        version: 1
        aliases:
          pair.lb.example.org:
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
            best_hosts: 2
          best.lb.example.org:
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
            best_hosts: 1
          all.lb.example.org:
            members: [127.0.0.2, 127.0.0.3, 127.0.0.4]
            best_hosts: -1
        snmp:
          version: v2c
          community: public
          port: PORT
          timeout: 1s
          retries: 0

        """

    /// The published set of every alias after each of `rounds` evaluations, and every poll
    /// failure seen.
    private struct Outcome {
        var published: [[String: [String]]] = []
        var failures: [String] = []
    }

    private func evaluate(_ engine: EvaluationEngine, rounds: Int) async -> Outcome {
        var outcome = Outcome()
        for _ in 0..<rounds {
            var round: [String: [String]] = [:]
            for evaluation in await engine.evaluateAll() {
                let decision = evaluation.decision
                round[decision.alias] = (decision.publish ?? []).map(\.description).sorted()
                for member in decision.members {
                    if let failure = member.evaluation.state.failure {
                        outcome.failures.append("\(decision.alias) \(member.node): \(failure)")
                    }
                }
            }
            outcome.published.append(round)
        }
        return outcome
    }

    @Test func theServerDoesNotRunOnNIOsSharedLoops() async throws {
        let server = DNSServer(configuration: DNSServerConfiguration(udpSockets: 1), store: ZoneStore())
        #expect(server.eventLoopGroup !== MultiThreadedEventLoopGroup.singleton)
        await server.stop()
    }

    @Test func decisionsDuringAFloodAreTheDecisionsWithout() async throws {
        let (agents, snmpPort) = try await LoopbackAgents.start([7, 5, 9])
        let logger = Logger(label: "flood", factory: { _ in SwiftLogNoOpLogHandler() })
        let text = Self.configurationText.replacingOccurrences(of: "PORT", with: "\(snmpPort)")
        let configuration = try ConfigurationLoader.parse(text, file: "flood.yaml", format: nil).configuration
        let client = try await SNMPClient.start(maximumInFlight: configuration.snmp.concurrency)
        let embedded = try await EmbeddedZoneServer.start(
            EmbeddedDNSSettings(listen: ServerAddress(host: "127.0.0.1", port: 0), zone: "lb.example.org."),
            logger: logger)
        let poller = NodePoller(
            addressBook: NodeAddressBook(port: snmpPort),
            probe: SNMPNodeProbe(client: client, settings: configuration.snmp),
            concurrency: configuration.snmp.concurrency)
        let engine = EvaluationEngine(
            configuration: configuration, poller: poller, publishers: [embedded.publisher], logger: logger,
            seed: 12)
        let dnsPort = try #require(embedded.address.port)

        let quiet = await evaluate(engine, rounds: 10)
        let stop = FloodStop()
        let flooders = (0..<3).map { index in
            Task.detached { DNSFlood.run(port: dnsPort, crafted: index != 2, stop: stop) }
        }
        // Lets the flood build up before polling under it.
        try await Task.sleep(for: .milliseconds(300))
        let flooded = await evaluate(engine, rounds: 10)
        stop.set()
        var sent = 0
        for flooder in flooders { sent += await flooder.value }

        await embedded.stop()
        await client.shutdown()
        for agent in agents { await agent.stop() }

        #expect(sent > 1000, "the flood sent only \(sent) queries")
        #expect(quiet.failures.isEmpty, "\(quiet.failures)")
        #expect(flooded.failures.isEmpty, "polls failed during the flood: \(flooded.failures)")
        #expect(quiet.published.first?["pair.lb.example.org"] == ["127.0.0.2", "127.0.0.3"])
        #expect(flooded.published == quiet.published)
    }
}

/// Set once to end the flood.
private final class FloodStop: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}

/// UDP queries sent as fast as one blocking socket can, for at most 3 s or 300,000 packets:
/// crafted ones (issue 12's 1,321 pointers to a 255-octet name) interleaved with plain ones.
private enum DNSFlood {
    static func run(port: Int, crafted: Bool, stop: FloodStop) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let packets = [plainQuery] + (crafted ? [craftedQuery] : [])
        let deadline = Date().addingTimeInterval(3)
        var sent = 0
        while sent < 300_000, !stop.isSet, sent % 256 != 0 || Date() < deadline {
            let packet = packets[sent % packets.count]
            _ = packet.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(
                            descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0,
                            socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            sent += 1
        }
        return sent
    }

    static let plainQuery: [UInt8] =
        [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        + [4] + Array("pair".utf8) + [2] + Array("lb".utf8) + [7] + Array("example".utf8) + [3]
        + Array("org".utf8) + [0, 0, 1, 0, 1]

    static let craftedQuery: [UInt8] = {
        let longName: [UInt8] =
            [63] + Array(repeating: UInt8(ascii: "a"), count: 63) + [63]
            + Array(repeating: UInt8(ascii: "b"), count: 63) + [63]
            + Array(repeating: UInt8(ascii: "c"), count: 63) + [61]
            + Array(repeating: UInt8(ascii: "d"), count: 61) + [0]
        let questions = 1321
        var bytes: [UInt8] = [
            0xAB, 0xCD, 0x01, 0x00, UInt8(questions >> 8), UInt8(questions & 0xFF), 0, 0, 0, 0, 0, 0,
        ]
        bytes += longName + [0, 1, 0, 1]
        for _ in 1..<questions { bytes += [0xC0, 12, 0, 1, 0, 1] }
        return bytes
    }()
}
