import DNS
import Foundation
import LBCore

/// Builds the `DaemonStatusSources` of `lbd run`: what its HTTP server reads, from the engine,
/// the configuration in force, the leadership, the state and the embedded zone.
enum DaemonSources {
    struct Parts: Sendable {
        var running: RunningConfiguration
        var engine: EvaluationEngine
        var leadership: any Leadership
        var instanceName: String
        var configPath: String
        var started: Date
        var state: StateStore
        var embedded: EmbeddedZoneServer?
        var cycles: CycleStatisticsRecorder
        var history: (any HistoryStore)?
    }

    static func make(_ parts: Parts) -> DaemonStatusSources {
        let engine = parts.engine
        let running = parts.running
        return DaemonStatusSources(
            evaluations: { await engine.evaluations },
            configuration: { await running.current.configuration },
            instance: {
                let current = await running.current
                return InstanceStatus(
                    version: ProductVersion.current, instance: parts.instanceName,
                    partition: current.configuration.partition, leadership: await parts.leadership.status(),
                    configPath: parts.configPath, configDigest: current.digest,
                    aliasCount: current.configuration.servedAliases.count,
                    lastRound: InstanceStatus.RoundSummary(await engine.evaluations.values),
                    startedAt: parts.started, cycles: await parts.cycles.statistics)
            },
            // The state (the zones, or the UPDATE publications) is loaded before any service
            // starts, so the first complete round, applied to the embedded zones, is what is left
            // to wait for.
            ready: {
                await engine.servedAliasesOnceEachEvaluated != nil
                    && !(parts.embedded?.publisher.isHoldingFirstRound ?? false)
            },
            publishedRecords: { alias in records(of: alias, state: parts.state, embedded: parts.embedded) },
            history: parts.history,
            notReadyReason: {
                let pending = await engine.aliasesNotYetEvaluated
                if !pending.isEmpty {
                    return "the first round is not complete: \(pending.count) alias(es) not evaluated yet"
                }
                if parts.embedded?.publisher.isHoldingFirstRound == true {
                    return "the first round is not applied to the embedded zones yet"
                }
                return nil
            })
    }

    /// The alias's addresses per place: what UPDATEs last wrote (the state), and what the
    /// embedded zone holds.
    static func records(of alias: String, state: StateStore?, embedded: EmbeddedZoneServer?) -> [String:
        [String]]
    {
        var places: [String: [String]] = [:]
        for publication in state?.publications(of: alias) ?? [] {
            places[publication.target] = publication.addresses
        }
        if let embedded, let name = try? DomainName(alias: alias),
            let origin = embedded.publisher.layout.origin(of: name), let zone = embedded.store.zone(origin)
        {
            let records = zone.recordSet(name, .a) + zone.recordSet(name, .aaaa)
            places[ZonePublisher.target] = NodeAddress.canonicalSet(
                records.compactMap { NodeAddress($0.data) }
            )
            .map(\.description)
        }
        return places
    }
}
