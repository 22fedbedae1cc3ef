import DNS
import NIOCore
import Synchronization

@testable import LBDaemonKit

/// Sends through a real `DNSClient` and counts the UPDATEs in flight, holding each one for
/// `hold` first, so that UPDATEs that could overlap do overlap and the count shows it.
final class CountingSender: DNSRequestSender {
    private struct Counts {
        var inFlight = 0
        var mostInFlight = 0
        var updates = 0
    }

    private let client = DNSClient()
    private let hold: Duration
    private let counts = Mutex(Counts())

    init(hold: Duration) {
        self.hold = hold
    }

    /// The most UPDATEs in flight at one time so far.
    var mostInFlight: Int { counts.withLock { $0.mostInFlight } }
    /// How many UPDATEs were sent.
    var updates: Int { counts.withLock { $0.updates } }

    func send(
        _ message: DNSMessage, server: SocketAddress, key: DNS.TSIGKey?, options: DNSClient.Options
    ) async throws -> DNSResponse {
        guard message.opcode == .update else {
            return try await client.send(message, server: server, key: key, options: options)
        }
        counts.withLock {
            $0.inFlight += 1
            $0.updates += 1
            $0.mostInFlight = max($0.mostInFlight, $0.inFlight)
        }
        defer { counts.withLock { $0.inFlight -= 1 } }
        try await Task.sleep(for: hold)
        return try await client.send(message, server: server, key: key, options: options)
    }
}
