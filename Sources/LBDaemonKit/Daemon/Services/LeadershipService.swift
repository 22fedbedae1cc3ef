import ServiceLifecycle

/// The leadership as a service. It is stopped last but one, after the engine, so that a lease
/// is released only once nothing is being published under it.
struct LeadershipService: Service {
    let leadership: any Leadership

    func run() async {
        await cancelWhenGracefulShutdown { await leadership.run() }
    }
}
