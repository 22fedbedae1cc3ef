import LBCore
import Logging
import Synchronization

/// Drives the HAProxy backends of the aliases that have a `haproxy:` section, through one
/// runtime API socket: the servers of each alias's backend show its latest decision (states and
/// weights, `HAProxyPlan`).
///
/// Each publication reads the backend (`show info`, `show servers state`) and sends only what
/// differs, in one batch. A new HAProxy process on the socket (a reload or a restart: `show
/// info` gives another pid or start time) has lost every runtime change, so the whole state is
/// sent again. Invariant: only servers whose name has the alias's `server_prefix` are added or
/// deleted.
public final class HAProxyPublisher: Publisher {
    public let socket: HAProxySocket
    /// The settings of each alias this publisher drives, by alias name.
    public let aliases: [String: HAProxySettings]
    private let logger: Logger
    /// The process last seen per backend, to notice a reload.
    private let processes = Mutex<[String: HAProxyProcessInfo]>([:])

    public init(socket: HAProxySocket, aliases: [String: HAProxySettings], logger: Logger) {
        self.socket = socket
        self.aliases = aliases
        var logger = logger
        logger[metadataKey: "haproxy"] = "\(socket)"
        self.logger = logger
    }

    public func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        guard let settings = aliases[publication.alias] else { return [] }
        let target = "haproxy \(settings.socket) backend \(settings.backend)"
        guard let decision = publication.decision else {
            return [
                PublicationResult(
                    target: target, previous: nil,
                    action: .failed(
                        PublishingFailure(.other, "\(target): the publication carries no decision to weigh")))
            ]
        }
        do {
            return [try await apply(decision, settings: settings, target: target, dryRun: dryRun)]
        } catch {
            var logger = logger
            logger[metadataKey: "alias"] = "\(publication.alias)"
            logger.error(
                "HAProxy backend not updated",
                metadata: [
                    "backend": "\(settings.backend)", "code": "\(error.code.rawValue)",
                    "reason": "\(error.message)",
                ])
            return [
                PublicationResult(target: target, previous: nil, action: .failed(error.publishingFailure))
            ]
        }
    }

    private func apply(_ decision: Decision, settings: HAProxySettings, target: String, dryRun: Bool)
        async throws(HAProxyRuntimeError) -> PublicationResult
    {
        let client = HAProxyRuntimeClient(
            socket: settings.socket, timeout: .milliseconds(Int64(settings.timeout * 1000)))
        let answers = try await client.run(["show info", "show servers state \(settings.backend)"])
        let process = try HAProxyProcessInfo.parse(answers[0])
        let current = try HAProxyServerState.parse(answers[1], backend: settings.backend)
        let reloaded = reloadNoticed(process, backend: settings.backend)
        let plan = HAProxyPlan(decision: decision, settings: settings, current: current, reapply: reloaded)
        let previous = current.filter {
            $0.name.hasPrefix(settings.serverPrefix) && !$0.isInMaintenance && !$0.isDraining
        }
        .compactMap { NodeAddress($0.address) }.sorted()
        guard !plan.commands.isEmpty else {
            remember(process, backend: settings.backend)
            return PublicationResult(target: target, previous: previous, action: .unchanged)
        }
        if dryRun {
            return PublicationResult(target: target, previous: previous, action: .wouldUpdate)
        }
        if reloaded {
            logger.notice(
                "HAProxy was reloaded or restarted: applying the whole state again",
                metadata: ["backend": "\(settings.backend)", "pid": "\(process.pid)"])
        }
        let results = try await client.run(plan.commands.map(\.text))
        for (command, answer) in zip(plan.commands, results) {
            try command.check(answer)
        }
        remember(process, backend: settings.backend)
        logger.info(
            "HAProxy backend updated",
            metadata: [
                "alias": "\(decision.alias)", "backend": "\(settings.backend)",
                "commands": "\(plan.commands.map(\.text).joined(separator: "; "))",
            ])
        return PublicationResult(target: target, previous: previous, action: .updated)
    }

    /// Whether the process answering differs from the one that took lbd's last changes.
    private func reloadNoticed(_ process: HAProxyProcessInfo, backend: String) -> Bool {
        processes.withLock { known in known[backend].map { $0 != process } ?? false }
    }

    private func remember(_ process: HAProxyProcessInfo, backend: String) {
        processes.withLock { $0[backend] = process }
    }
}
