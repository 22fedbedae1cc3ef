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

/// How one attempt ended without an answer: the timer fired. `malformed` says that the agent
/// asked sent something unreadable meanwhile, so the failure is not silence.
struct AttemptTimedOut: Error {
    var malformed: String?
}

/// The requests waiting for an answer, by id (request-id for v1/v2c, msgID for v3). An answer
/// whose id is not waiting (a late reply to an attempt that timed out) is dropped.
///
/// A datagram that cannot be decoded carries no id to route it by, so it is noted against every
/// request waiting on the address it came from: it does not end the wait (the real answer may
/// still come), but an attempt that then times out reports it instead of silence.
final class PendingRequests: Sendable {
    private struct Entry {
        var continuation: CheckedContinuation<ReceivedMessage, any Error>
        var remote: SocketAddress
        var timer: Scheduled<Void>?
        var malformed: String?
    }

    private struct State {
        var entries: [Int32: Entry] = [:]
        /// The ids waiting on each remote address, to note a malformed datagram without a scan.
        var idsByRemote: [SocketAddress: [Int32]] = [:]

        mutating func remove(_ id: Int32) -> Entry? {
            guard let entry = entries.removeValue(forKey: id) else { return nil }
            if var ids = idsByRemote[entry.remote] {
                ids.removeAll { $0 == id }
                idsByRemote[entry.remote] = ids.isEmpty ? nil : ids
            }
            return entry
        }
    }

    private let state = Mutex(State())
    private let nextID: Atomic<Int32>

    init(firstID: Int32) {
        nextID = Atomic(firstID & 0x3FFF_FFFF)
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// A fresh positive id; ids wrap long before they could collide with one still waiting.
    func makeID() -> Int32 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        return id & 0x7FFF_FFFF
    }

    func insert(
        _ id: Int32, remote: SocketAddress, continuation: CheckedContinuation<ReceivedMessage, any Error>
    ) {
        let displaced = state.withLock { state in
            let old = state.remove(id)
            state.entries[id] = Entry(continuation: continuation, remote: remote, timer: nil)
            state.idsByRemote[remote, default: []].append(id)
            return old
        }
        displaced?.timer?.cancel()
        displaced?.continuation.resume(throwing: AttemptTimedOut(malformed: displaced?.malformed))
    }

    func setTimer(_ id: Int32, _ timer: Scheduled<Void>) {
        let stored = state.withLock { state -> Bool in
            guard state.entries[id] != nil else { return false }
            state.entries[id]?.timer = timer
            return true
        }
        if !stored { timer.cancel() }
    }

    /// Delivers an answer to the request waiting for `id`, if it came from the address asked.
    func deliver(_ id: Int32, _ message: ReceivedMessage) {
        let entry = state.withLock { state -> Entry? in
            guard let entry = state.entries[id], entry.remote == message.remote else { return nil }
            return state.remove(id)
        }
        entry?.timer?.cancel()
        entry?.continuation.resume(returning: message)
    }

    /// Notes that `remote` sent a datagram that is not a readable SNMP message.
    func noteMalformed(from remote: SocketAddress, _ detail: String) {
        state.withLock { state in
            for id in state.idsByRemote[remote] ?? [] where state.entries[id]?.malformed == nil {
                state.entries[id]?.malformed = detail
            }
        }
    }

    /// Ends the attempt waiting for `id`: its timer fired.
    func timeOut(_ id: Int32) {
        let entry = state.withLock { $0.remove(id) }
        entry?.timer?.cancel()
        entry?.continuation.resume(throwing: AttemptTimedOut(malformed: entry?.malformed))
    }

    func fail(_ id: Int32, _ error: any Error) {
        let entry = state.withLock { $0.remove(id) }
        entry?.timer?.cancel()
        entry?.continuation.resume(throwing: error)
    }

    func failAll(_ error: any Error) {
        let all = state.withLock { state in
            defer { state = State() }
            return Array(state.entries.values)
        }
        for entry in all {
            entry.timer?.cancel()
            entry.continuation.resume(throwing: error)
        }
    }
}
