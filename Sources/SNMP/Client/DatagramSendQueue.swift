import NIOCore
import Synchronization

/// The client's outgoing datagrams on one channel, written by the channel's event loop in
/// batches: a request made on another thread adds its datagram here, and only the first of a
/// batch asks the event loop to run, which then writes them all and flushes once (NIO sends a
/// batch with one `sendmmsg`). A write per request was a hop to the event loop and a system call
/// each.
final class DatagramSendQueue: Sendable {
    typealias Failure = @Sendable (any Error) -> Void

    private let channel: any Channel
    private let queued = Mutex<[(AddressedEnvelope<ByteBuffer>, Failure)]>([])

    init(channel: any Channel) {
        self.channel = channel
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends `datagram` to `address` soon; `failed` is told if it cannot be sent.
    func send(_ datagram: [UInt8], to address: SocketAddress, failed: @escaping Failure) {
        let envelope = AddressedEnvelope(
            remoteAddress: address, data: channel.allocator.buffer(bytes: datagram))
        let first = queued.withLock { queued in
            queued.append((envelope, failed))
            return queued.count == 1
        }
        guard first else { return }
        channel.eventLoop.execute { self.writeQueued() }
    }

    private func writeQueued() {
        let batch = queued.withLock { queued in
            let batch = queued
            queued = []
            return batch
        }
        for (envelope, failed) in batch {
            let promise = channel.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenFailure(failed)
            channel.write(envelope, promise: promise)
        }
        channel.flush()
    }
}
