import ArgumentParser
import Foundation
import LBClientKit
import Logging
import SNMP

/// `lbclient agent`: lbclient answers SNMP itself, for nodes that do not run net-snmp.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Answer lbd's SNMP GETs, or HAProxy's agent checks, with this node's load, without snmpd.")

    @OptionGroup var options: ClientOptions

    @Option(help: "Address and UDP port to listen on: 0.0.0.0:161, [::]:161, 127.0.0.1:1161.")
    var listen = "0.0.0.0:161"

    /// `--snmp-config` (without it, no SNMP is answered and --haproxy-agent is required) and
    /// `--notify`.
    @OptionGroup var notify: NotifyOptions
    var snmpConfig: String? { notify.snmpConfig }

    @Option(
        name: .customLong("haproxy-agent"),
        help:
            "Also answer HAProxy's agent-check on this TCP HOST:PORT (127.0.0.1:9777, [::1]:9777); repeatable. See docs/haproxy.md. (default: none)"
    )
    var haproxyAgents: [String] = []

    @Option(
        name: .customLong("haproxy-agent-wait"),
        help:
            "How long to wait for HAProxy's agent-send line before answering for the whole node (default: 50ms).",
        transform: parseDuration)
    var haproxyAgentWait: Duration = .milliseconds(50)

    @Option(
        name: .customLong("haproxy-agent-connections"),
        help: "Most agent-check connections served at once; more are closed unanswered (default: 64).")
    var haproxyAgentConnections = 64

    @OptionGroup var cache: CacheTimeOption

    func validate() throws {
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen `\(listen)` is not HOST:PORT (use [::]:161 for IPv6)")
        }
        for address in haproxyAgents where ListenAddress(address) == nil {
            throw ValidationError("--haproxy-agent `\(address)` is not HOST:PORT (use [::1]:9777 for IPv6)")
        }
        guard snmpConfig != nil || !haproxyAgents.isEmpty else {
            throw ValidationError(
                "give --snmp-config (to answer SNMP), --haproxy-agent (to answer HAProxy), or both")
        }
        guard (1...10000).contains(haproxyAgentConnections) else {
            throw ValidationError("--haproxy-agent-connections must be between 1 and 10000")
        }
        guard haproxyAgentWait < .seconds(2) else {
            throw ValidationError("--haproxy-agent-wait must be under the 2s a connection may last")
        }
    }

    func run() async throws {
        let logger = try options.makeLogger()
        let notifiers = try notify.makeNotifiers(logger: logger)
        let evaluator = options.makeEvaluator(logger: logger)
        let record = OutcomeRecord()
        let cache = AnswerCache(maximumAge: self.cache.cacheTime) {
            await evaluator.answer(recordingInto: record)
        }
        var snmp: ClientAgent?
        if let snmpConfig {
            let agent = try makeSNMPAgent(configPath: snmpConfig, cache: cache, logger: logger)
            let bound = try await agent.start()
            logger.notice("answering SNMP on \(bound)")
            printToStandardError("lbclient agent: answering SNMP on \(bound)")
            snmp = agent
        }
        var haproxy: HAProxyAgent?
        if !haproxyAgents.isEmpty {
            let listeners = haproxyAgents.compactMap(ListenAddress.init).map {
                HAProxyAgentServer.Configuration(
                    host: $0.host, port: $0.port, requestWait: haproxyAgentWait,
                    maximumConnections: haproxyAgentConnections)
            }
            let agent = HAProxyAgent(listeners: listeners, cache: cache, record: record)
            for bound in try await agent.start() {
                logger.notice("answering HAProxy agent checks on \(bound)")
                printToStandardError("lbclient agent: answering HAProxy agent checks on \(bound)")
            }
            haproxy = agent
        }
        let background = notify.startBackgroundEvaluation(
            notifiers: notifiers, cache: cache, options: options, logger: logger)
        await TerminationSignal.wait()
        await background?.stop()
        await haproxy?.stop()
        await snmp?.stop()
    }

    private func makeSNMPAgent(configPath: String, cache: AnswerCache, logger: Logger) throws -> ClientAgent {
        let access = try AccessFileReading.read(configPath)
        guard let address = ListenAddress(listen) else { throw ExitCode(1) }
        let refusals = RefusalLog { [logger] line in logger.warning("\(line)") }
        return ClientAgent(
            configuration: SNMPAgentConfiguration(
                host: address.host, port: address.port, communities: access.communityNames,
                users: access.users,
                engineID: access.engineID ?? SNMPAgentConfiguration.generateEngineID()),
            access: access.access(onRefusal: refusals.record), cache: cache)
    }
}

/// `HOST:PORT`, with IPv6 hosts in brackets.
struct ListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
