import ServiceLifecycle

/// The embedded DNS server as a service: it already answers when the group starts (it was
/// started, with the published state loaded, before the engine was built), and it stops at
/// graceful shutdown, after the engine, so that the last publications are still served.
struct EmbeddedDNSService: Service {
    let server: EmbeddedZoneServer

    func run() async {
        // Returns at graceful shutdown, or throws at cancellation: both mean stop.
        try? await gracefulShutdown()
        await server.stop()
    }
}
