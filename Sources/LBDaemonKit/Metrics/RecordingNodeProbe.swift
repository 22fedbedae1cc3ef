import LBCore
import NIOCore
import SNMP

/// A `NodeProbe` that times each poll of the probe it wraps and tells a `PollRecorder` the
/// reply and the time, leaving the reply as it is.
public struct RecordingNodeProbe: NodeProbe {
    public let probe: any NodeProbe
    public let recorder: any PollRecorder
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameter now: the clock the polls are timed with (injected by tests).
    public init(
        wrapping probe: any NodeProbe, recorder: any PollRecorder,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.probe = probe
        self.recorder = recorder
        self.now = now
    }

    public func poll(_ address: SocketAddress) async -> AddressReply {
        let start = now()
        let reply = await probe.poll(address)
        recorder.recordPoll(reply, duration: now() - start)
        return reply
    }
}

extension RecordingNodeProbe: BatchNodeProbe {
    public var pollsInBatches: Bool { (probe as? any BatchNodeProbe)?.pollsInBatches ?? false }

    public func poll(
        batch addresses: [SocketAddress], pacing: SNMPClient.BatchPacing,
        started: @escaping @Sendable () -> Void,
        deliver: @escaping @Sendable (Int, AddressReply, Duration) -> Void
    ) async {
        guard let batch = probe as? any BatchNodeProbe, batch.pollsInBatches else {
            await pollOneByOne(addresses, started: started, deliver: deliver)
            return
        }
        let recorder = self.recorder
        await batch.poll(batch: addresses, pacing: pacing, started: started) { address, reply, elapsed in
            recorder.recordPoll(reply, duration: elapsed)
            deliver(address, reply, elapsed)
        }
    }
}
