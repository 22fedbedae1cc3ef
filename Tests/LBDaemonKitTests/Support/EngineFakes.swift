import LBCore
import LBDaemonKit
import NIOCore
import Synchronization

/// Answers polls from a table of loads by address, counting the polls of each address.
final class FakeNodeProbe: NodeProbe {
    let loads: Mutex<[String: AddressReply]>
    let polls = Mutex<[String: Int]>([:])

    init(_ loads: [String: AddressReply]) {
        self.loads = Mutex(loads)
    }

    func poll(_ address: SocketAddress) async -> AddressReply {
        let text = address.ipAddress ?? "?"
        polls.withLock { $0[text, default: 0] += 1 }
        return loads.withLock { $0[text] } ?? .failure(.timeout(attempts: 1))
    }

    func set(_ address: String, _ reply: AddressReply) {
        loads.withLock { $0[address] = reply }
    }

    func pollCount(_ address: String) -> Int { polls.withLock { $0[address] ?? 0 } }
}

/// Remembers every publication and reports it updated.
final class RecordingPublisher: Publisher {
    let publications = Mutex<[Publication]>([])

    func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        publications.withLock { $0.append(publication) }
        return [PublicationResult(target: "record", previous: nil, action: dryRun ? .wouldUpdate : .updated)]
    }
}

/// Node names resolve to the address literal of the same name, or, for `hostN`, to 127.0.0.N.
func fakeResolve(_ node: String, _ port: Int) async throws -> [SocketAddress] {
    if node.hasPrefix("host"), let index = Int(node.dropFirst(4)) {
        return [try SocketAddress(ipAddress: "127.0.0.\(index)", port: port)]
    }
    if node.hasPrefix("missing") { throw FakeResolutionError() }
    return [try SocketAddress(ipAddress: node, port: port)]
}

struct FakeResolutionError: Error, CustomStringConvertible {
    var description: String { "no such host" }
}
