import NIOCore
import Synchronization

/// A datagram received for a request, already decoded far enough to be routed.
struct ReceivedMessage: Sendable {
    enum Decoded: Sendable {
        case community(CommunityMessage)
        case v3(SNMPv3Message)
    }

    var bytes: [UInt8]
    var decoded: Decoded
    var remote: SocketAddress
}

/// The requests waiting for an answer, by id (request-id for v1/v2c, msgID for v3). An answer
/// whose id is not waiting (a late reply to an attempt that timed out) is dropped.
final class PendingRequests: Sendable {
    private struct Entry {
        var continuation: CheckedContinuation<ReceivedMessage, any Error>
        var remote: SocketAddress
        var timer: Scheduled<Void>?
    }

    private let entries = Mutex<[Int32: Entry]>([:])
    private let nextID: Atomic<Int32>

    init(firstID: Int32) {
        nextID = Atomic(firstID & 0x3FFF_FFFF)
    }

    var count: Int { entries.withLock { $0.count } }

    /// A fresh positive id; ids wrap long before they could collide with one still waiting.
    func makeID() -> Int32 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        return id & 0x7FFF_FFFF
    }

    func insert(
        _ id: Int32, remote: SocketAddress, continuation: CheckedContinuation<ReceivedMessage, any Error>
    ) {
        let displaced = entries.withLock { entries in
            let old = entries[id]
            entries[id] = Entry(continuation: continuation, remote: remote, timer: nil)
            return old
        }
        displaced?.timer?.cancel()
        displaced?.continuation.resume(throwing: SNMPClientError.timeout(attempts: 1))
    }

    func setTimer(_ id: Int32, _ timer: Scheduled<Void>) {
        let stored = entries.withLock { entries -> Bool in
            guard entries[id] != nil else { return false }
            entries[id]?.timer = timer
            return true
        }
        if !stored { timer.cancel() }
    }

    /// Delivers an answer to the request waiting for `id`, if it came from the address asked.
    func deliver(_ id: Int32, _ message: ReceivedMessage) {
        let entry = entries.withLock { entries -> Entry? in
            guard let entry = entries[id], entry.remote == message.remote else { return nil }
            entries[id] = nil
            return entry
        }
        entry?.timer?.cancel()
        entry?.continuation.resume(returning: message)
    }

    func fail(_ id: Int32, _ error: any Error) {
        let entry = entries.withLock { $0.removeValue(forKey: id) }
        entry?.timer?.cancel()
        entry?.continuation.resume(throwing: error)
    }

    func failAll(_ error: any Error) {
        let all = entries.withLock { entries in
            defer { entries.removeAll() }
            return Array(entries.values)
        }
        for entry in all {
            entry.timer?.cancel()
            entry.continuation.resume(throwing: error)
        }
    }
}
