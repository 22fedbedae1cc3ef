import ArgumentParser
import Foundation
import LBClientKit
import Logging
import SNMP

/// `lbclient agent`: lbclient answers SNMP itself, for nodes that do not run net-snmp.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Answer lbd's SNMP GETs with this node's load, without snmpd.")

    @OptionGroup var options: ClientOptions

    @Option(help: "Address and UDP port to listen on: 0.0.0.0:161, [::]:161, 127.0.0.1:1161.")
    var listen = "0.0.0.0:161"

    @Option(
        name: .customLong("snmp-config"),
        help:
            "Communities and v3 users, in snmpd.conf syntax (rocommunity, rocommunity6, createUser, rouser, engineID)."
    )
    var snmpConfig: String

    @OptionGroup var cache: CacheTimeOption

    func validate() throws {
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen `\(listen)` is not HOST:PORT (use [::]:161 for IPv6)")
        }
    }

    func run() async throws {
        let logger = try options.makeLogger()
        let text: String
        do {
            text = try String(contentsOfFile: snmpConfig, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(snmpConfig): \(error.localizedDescription)")
        }
        let access: AgentAccessFile
        switch AgentAccessFile.parse(text, path: snmpConfig) {
        case .failure(let errors):
            printToStandardError(errors.description)
            throw ExitCode(1)
        case .success(let parsed):
            access = parsed
        }
        guard let address = ListenAddress(listen) else { throw ExitCode(1) }
        let evaluator = options.makeEvaluator(logger: logger)
        let cache = AnswerCache(maximumAge: self.cache.cacheTime) { await evaluator.answerIfAny() }
        let refusals = RefusalLog { [logger] line in logger.warning("\(line)") }
        let agent = ClientAgent(
            configuration: SNMPAgentConfiguration(
                host: address.host, port: address.port, communities: access.communityNames,
                users: access.users,
                engineID: access.engineID ?? SNMPAgentConfiguration.generateEngineID()),
            access: access.access(onRefusal: refusals.record), cache: cache)
        let bound = try await agent.start()
        logger.notice("answering SNMP on \(bound)")
        printToStandardError("lbclient agent: answering SNMP on \(bound)")
        await TerminationSignal.wait()
        await agent.stop()
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
