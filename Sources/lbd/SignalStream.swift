import Dispatch
import LBDaemonKit

#if canImport(Glibc)
    import Glibc
#endif

/// SIGHUP, SIGTERM and SIGINT as `DaemonSignal`s. The default actions are turned off first, so a
/// signal never kills lbd in the middle of an UPDATE (golbd died on SIGHUP).
enum SignalStream {
    static func make() -> AsyncStream<DaemonSignal> {
        let (stream, continuation) = AsyncStream.makeStream(of: DaemonSignal.self)
        let sources = [(SIGHUP, DaemonSignal.reload), (SIGTERM, .terminate), (SIGINT, .terminate)].map {
            signalNumber, meaning in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield(meaning) }
            source.resume()
            return source
        }
        let held = HeldSources(sources)
        continuation.onTermination = { _ in held.cancel() }
        return stream
    }
}

/// Keeps the signal sources alive as long as the stream, and cancels them with it.
private final class HeldSources: @unchecked Sendable {
    // Unchecked: the array is never mutated, and DispatchSource.cancel may be called from any
    // thread.
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }

    func cancel() { sources.forEach { $0.cancel() } }
}
