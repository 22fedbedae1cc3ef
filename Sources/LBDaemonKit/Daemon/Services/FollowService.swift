import Logging
import ServiceLifecycle

/// A standby's embedded server follows the active's zones (`ha.peer_dns`): following starts
/// when the role becomes standby and stops when it becomes active. The publisher itself also
/// stops following before the first publication it gets (`FollowEndingPublisher`), so that a
/// takeover never races the role stream.
struct FollowService: Service {
    let leadership: any Leadership
    let embedded: EmbeddedZoneServer
    let peer: ServerAddress
    let engine: EvaluationEngine
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            for await role in await leadership.roleChanges() {
                switch role {
                case .standby:
                    guard !embedded.isFollowing else { continue }
                    logger.notice(
                        "standby: serving the active's zones, transferred from \(peer)",
                        metadata: ["action": "follow", "peer": "\(peer)"])
                    await embedded.follow(
                        peer: peer, aliases: { await engine.servedAliasNames }, logger: logger)
                case .active:
                    await embedded.stopFollowing(served: nil, logger: logger)
                }
            }
        }
    }
}

/// The embedded zone's publisher behind the leadership: a publication reaches it only with a
/// permit, so this instance is the active, and the zone must stop following the peer first.
struct FollowEndingPublisher: Publisher {
    let embedded: EmbeddedZoneServer
    let logger: Logger

    func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        if embedded.isFollowing { await embedded.stopFollowing(served: nil, logger: logger) }
        return await embedded.publisher.publish(publication, dryRun: dryRun)
    }
}
