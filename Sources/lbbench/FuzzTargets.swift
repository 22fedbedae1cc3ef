import DNS
import LBClientKit
import LBCore
import LBDaemonKit
import NIOCore
import NIOEmbedded
import SNMP

/// One decoder of untrusted bytes, with the valid inputs its mutations start from.
///
/// `run` returns the size of what the decoder produced (an answer's octets, values read, message
/// text), so that the work is not optimised away and a runaway output shows.
struct FuzzTarget: Sendable {
    let name: String
    /// What the input goes through, for the report.
    let decoder: String
    let seeds: [[UInt8]]
    let mutator: ByteMutator
    let run: @Sendable ([UInt8]) async -> Int
    /// A one-line account of an input (its size and what it looks like).
    let describe: @Sendable ([UInt8]) -> String

    /// Every target, in report order. Built lazily by name: probes localise USM keys and build
    /// zones, which a child running one target should not pay for the others.
    static let names = [
        "snmp-agent", "snmp-client", "snmp-notification", "dns-message", "dns-udp", "dns-tcp",
        "config-native", "config-golbd", "config-golbd-yaml", "lbclient-config", "lbclient-aliases",
        "lbclient-expression", "metric-lemon", "metric-collectd",
    ]

    static func named(_ name: String) -> FuzzTarget? {
        switch name {
        case "snmp-agent":
            let probe = SNMPAgentFuzzProbe()
            return FuzzTarget(
                name: name, decoder: "SNMP agent: AgentResponder.reply (v1/v2c/v3 USM, GET/GETNEXT/GETBULK)",
                seeds: probe.seeds, mutator: ByteMutator(maximumSize: 65_507, tokens: berTokens),
                run: { await probe.reply(to: $0)?.count ?? 0 }, describe: describeBinary)
        case "snmp-client":
            let probe = SNMPResponseFuzzProbe()
            return FuzzTarget(
                name: name,
                decoder: "SNMP client: CommunityMessage/SNMPv3Message/PDU decoding, USMCodec.open",
                seeds: probe.seeds, mutator: ByteMutator(maximumSize: 65_507, tokens: berTokens),
                run: { probe.decode($0) }, describe: describeBinary)
        case "snmp-notification":
            let probe = SNMPNotificationFuzzProbe()
            return FuzzTarget(
                name: name,
                decoder: "SNMP notification listener: NotificationReceiver.receive (v2c, v3 USM INFORM)",
                seeds: probe.seeds, mutator: ByteMutator(maximumSize: 65_507, tokens: berTokens),
                run: { probe.receive($0) }, describe: describeBinary)
        case "dns-message":
            let probe = DNSFuzzProbe()
            return FuzzTarget(
                name: name, decoder: "DNSMessage(decoding:) of requests and responses",
                seeds: probe.requests + probe.responses,
                mutator: ByteMutator(maximumSize: 65_535, tokens: dnsTokens),
                run: { bytes in
                    guard let message = try? DNSMessage(decoding: bytes) else { return 0 }
                    return message.questions.count + message.answers.count + message.authorities.count
                        + message.additionals.count
                }, describe: describeDNS)
        case "dns-udp":
            let probe = DNSFuzzProbe()
            return FuzzTarget(
                name: name,
                decoder: "DNS server over UDP: DNSQueryProcessor.process (screening, TSIG, answer)",
                seeds: probe.requests, mutator: ByteMutator(maximumSize: 65_507, tokens: dnsTokens),
                run: { probe.answerUDP($0)?.count ?? 0 }, describe: describeDNS)
        case "dns-tcp":
            let probe = DNSFuzzProbe()
            return FuzzTarget(
                name: name,
                decoder: "DNS server over TCP: DNSTCPFrameDecoder + DNSQueryProcessor.processStream",
                seeds: tcpStreams(probe.requests),
                mutator: ByteMutator(maximumSize: 65_536, tokens: dnsTokens),
                run: { runTCP($0, probe: probe) }, describe: describeBinary)
        case "config-native", "config-golbd", "config-golbd-yaml":
            let format: ConfigurationFormat =
                name == "config-native" ? .native : name == "config-golbd" ? .golbdLines : .golbdYAML
            return FuzzTarget(
                name: name, decoder: "ConfigurationLoader.parse, format \(format.rawValue)",
                seeds: ConfigurationFuzzSeeds.seeds(format).map { Array($0.utf8) },
                mutator: ByteMutator(maximumSize: 65_536, tokens: ConfigurationFuzzSeeds.tokens),
                run: { bytes in
                    do throws(ConfigurationError) {
                        let loaded = try ConfigurationLoader.parse(
                            String(decoding: bytes, as: UTF8.self), file: "fuzz.conf", format: format)
                        return loaded.configuration.aliases.count + loaded.warnings.count
                    } catch {
                        return error.issues.reduce(0) { $0 + $1.description.utf8.count }
                    }
                }, describe: describeText)
        case "lbclient-config":
            return textTarget(
                name, "ClientConfigFile.parse + prepare (checks' arguments)", ClientFuzzProbes.configSeeds,
                ClientFuzzProbes.readConfigFile)
        case "lbclient-aliases":
            return textTarget(
                name, "AliasListFile.read", ClientFuzzProbes.aliasSeeds, ClientFuzzProbes.readAliasList)
        case "lbclient-expression":
            return textTarget(
                name, "MetricExpression parse + evaluate", ClientFuzzProbes.expressionSeeds,
                ClientFuzzProbes.evaluateExpression, maximumSize: 4_096)
        case "metric-lemon":
            return textTarget(
                name, "LemonOutput(parsing:)", ClientFuzzProbes.lemonSeeds, ClientFuzzProbes.readLemonOutput)
        case "metric-collectd":
            return textTarget(
                name, "collectdctl getval/listval readers", ClientFuzzProbes.collectdSeeds,
                ClientFuzzProbes.readCollectdOutput)
        default:
            return nil
        }
    }

    private static func textTarget(
        _ name: String, _ decoder: String, _ seeds: [String], _ read: @escaping @Sendable (String) -> Int,
        maximumSize: Int = 65_536
    ) -> FuzzTarget {
        FuzzTarget(
            name: name, decoder: decoder, seeds: seeds.map { Array($0.utf8) },
            mutator: ByteMutator(maximumSize: maximumSize, tokens: ClientFuzzProbes.tokens),
            run: { read(String(decoding: $0, as: UTF8.self)) }, describe: describeText)
    }

    /// BER tags and long-form lengths.
    private static let berTokens: [[UInt8]] = [
        [0x30, 0x82, 0xFF, 0xFF], [0x06, 0x01, 0x2B], [0x02, 0x01, 0x00], [0x04, 0x00], [0x05, 0x00],
        [0xA0], [0xA1], [0xA5], [0x30, 0x80], [0x84, 0xFF, 0xFF, 0xFF, 0xFF],
        [0x06, 0x0A, 0x2B, 0xFF, 0xFF, 0xFF],
    ]

    /// Labels, compression pointers, record headers.
    private static let dnsTokens: [[UInt8]] = [
        [0xC0, 0x0C], [0xC0, 0x00], [0x3F] + [UInt8](repeating: 0x61, count: 63),
        [0x00, 0x00, 0x29, 0x10, 0x00],
        [0x00, 0x01, 0x00, 0x01], [0x00, 0xFA, 0x00, 0xFF], [0x00, 0xFC, 0x00, 0x01], [0x01, 0x2A], [0x00],
    ]

    private static let tcpPeer = try! SocketAddress(ipAddress: "127.0.0.1", port: 5353)

    /// Each request alone, and all of them pipelined, framed for TCP.
    private static func tcpStreams(_ requests: [[UInt8]]) -> [[UInt8]] {
        func frame(_ message: [UInt8]) -> [UInt8] {
            [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        }
        return requests.map(frame) + [requests.flatMap(frame)]
    }

    /// One connection's bytes through the server's framing decoder, in three reads as a slow
    /// client would send them; the octets sent back.
    private static func runTCP(_ stream: [UInt8], probe: DNSFuzzProbe) -> Int {
        let answers = StreamAnswerer(probe: probe)
        let channel = EmbeddedChannel(handlers: [probe.makeFrameDecoder(), answers])
        // From a transfer source, so that AXFR and IXFR are served too.
        _ = try? channel.connect(to: tcpPeer).wait()
        let cuts = [0, stream.count / 3, 2 * stream.count / 3, stream.count]
        for index in 0..<3 where cuts[index] < cuts[index + 1] {
            // A framing error ends the connection: the rest of the stream is not read.
            guard channel.isActive, !answers.framingFailed,
                (try? channel.writeInbound(ByteBuffer(bytes: stream[cuts[index]..<cuts[index + 1]]))) != nil
            else { break }
        }
        _ = try? channel.finish()
        return answers.octetsSent
    }

    private static func describeBinary(_ bytes: [UInt8]) -> String {
        let head = bytes.prefix(24).map {
            String($0, radix: 16).count == 1 ? "0\(String($0, radix: 16))" : String($0, radix: 16)
        }
        return
            "\(bytes.count) octets, starting \(head.joined(separator: " "))\(bytes.count > 24 ? " ..." : "")"
    }

    /// The header counts of a DNS message, and whether it decodes.
    private static func describeDNS(_ bytes: [UInt8]) -> String {
        guard bytes.count >= 12 else { return describeBinary(bytes) }
        func count(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        let flags = count(2)
        let decoded = (try? DNSMessage(decoding: bytes)) != nil ? "decodes" : "does not decode"
        return
            "\(bytes.count) octets, QR=\(flags >> 15) opcode \(flags >> 11 & 0xF), QD/AN/NS/AR \(count(4))/\(count(6))/\(count(8))/\(count(10)), \(decoded)"
    }

    private static func describeText(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
        let excerpt = String(
            text.prefix(60).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "·" : Character($0) })
        return "\(bytes.count) octets, \(lines) lines, starting \"\(excerpt)\""
    }
}

/// Answers the messages the framing decoder passes on, as the server's connection handler does,
/// counting the octets it would send.
private final class StreamAnswerer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let probe: DNSFuzzProbe
    var octetsSent = 0

    init(probe: DNSFuzzProbe) { self.probe = probe }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Array(unwrapInboundIn(data).readableBytesView)
        for answer in probe.answerTCP(message) { octetsSent += answer.count + 2 }
    }

    /// Set on a framing error, where the server closes the connection. Not closed here: an
    /// EmbeddedChannel closed from `errorCaught` makes `finish()` throw and is never freed,
    /// about 3 KB per input, which showed as the server's memory growing.
    private(set) var framingFailed = false

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        framingFailed = true
    }
}
