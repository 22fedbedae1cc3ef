import Logging

@testable import LBDaemonKit

extension HTTPService {
    /// A server whose only source is `status` (ready at once, no alias): the tests of the server
    /// itself.
    init(
        settings: HTTPSettings, heartbeatDirectory: String, heartbeatFile: String, logger: Logger,
        status: @escaping @Sendable () async -> InstanceStatus,
        routes: [any HTTPRoutes] = [],
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.init(
            settings: settings, heartbeatDirectory: heartbeatDirectory, heartbeatFile: heartbeatFile,
            logger: logger,
            sources: DaemonStatusSources(
                evaluations: { [:] }, configuration: { Configuration() }, instance: status, ready: { true }),
            routes: routes, onListening: onListening)
    }
}
