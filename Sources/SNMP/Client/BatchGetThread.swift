#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The thread a batch of GETs runs on: it blocks in poll(2) between answers, which the
/// cooperative pool's threads (one per core) must never do.
enum BatchGetThread {
    /// Runs `body` on a new detached thread, or here if none can be made (rather than lose it).
    static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc)
            var handle = pthread_t()
        #else
            var handle: pthread_t?
        #endif
        let result = pthread_create(
            &handle, &attributes,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
                return nil
            }, box)
        pthread_attr_destroy(&attributes)
        if result != 0 { Unmanaged<Body>.fromOpaque(box).takeRetainedValue().run() }
    }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
