import Foundation

/// `ha.mode: standalone`: this instance always publishes.
public struct StandaloneLeadership: Leadership {
    public let instance: String
    private let started = Date()

    public init(instance: String = InstanceName.current()) {
        self.instance = instance
    }

    public func publishingPermit() async -> PublishingPermit? { PublishingPermit() }

    public func status() async -> LeadershipStatus {
        LeadershipStatus(
            mode: "standalone", role: .active, instance: instance, since: started,
            reason: "standalone: this instance always publishes")
    }

    public func run() async {
        // Nothing to keep up to date; stays until cancelled so that a service group keeps it.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    public func roundCompleted() async {}

    public func roleChanges() async -> AsyncStream<LeadershipRole> {
        AsyncStream { continuation in continuation.yield(.active) }
    }
}
