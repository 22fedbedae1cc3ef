#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thread that runs a server's loop of its own (the UDP threads of the DNS server and of the
/// SNMP agent) and that its owner waits for when it stops.
public struct JoinableThread: @unchecked Sendable {
    /// pthread_create(3) refused: the error number it returned.
    public struct StartFailure: Error, Equatable {
        public var code: CInt
    }

    private let handle: pthread_t

    /// Runs `body` on a new thread.
    public static func start(_ body: @escaping @Sendable () -> Void) throws(StartFailure) -> JoinableThread {
        JoinableThread(handle: try ThreadBody.spawn(body, detached: false).get())
    }

    /// Waits until the thread's body has returned.
    public func join() {
        pthread_join(handle, nil)
    }
}

/// What a thread started here runs, handed to it retained.
final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }

    /// Starts a thread that runs `body`, joinable or detached.
    static func spawn(_ body: @escaping @Sendable () -> Void, detached: Bool)
        -> Result<pthread_t, JoinableThread.StartFailure>
    {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        #if canImport(Glibc)
            var handle = pthread_t()
        #else
            var handle: pthread_t?
        #endif
        let result = pthread_create(
            &handle, &attributes,
            { raw in
                guard let raw else { return nil }
                Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
                return nil
            }, box)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            return .failure(JoinableThread.StartFailure(code: result))
        }
        #if canImport(Glibc)
            return .success(handle)
        #else
            return .success(handle!)
        #endif
    }
}
