import Foundation
import LBCore
import LBTestSupport
import NIOCore
import NIOPosix
import SNMP
import Synchronization

/// SNMPv3 nodes on 127.0.0.x addresses, all on one port as lbd polls them, each answering as its
/// `ChaosBehaviour` says; behaviours can change while lbd runs.
///
/// Invariant: an `unreachable` node has no socket, so the kernel answers its polls with ICMP port
/// unreachable; every other node has exactly one socket until `stop()`.
final class ChaosFleet: Sendable {
    /// One node: its responder, what it does now, and how many datagrams it received.
    final class Node: Sendable {
        let address: String
        let responder: ChaosResponder
        let behaviour: Mutex<ChaosBehaviour>
        let received = Atomic<Int>(0)
        let random: Mutex<SeededRandomNumberGenerator>
        let started = ContinuousClock.now

        init(address: String, behaviour: ChaosBehaviour, responder: ChaosResponder, seed: UInt64) {
            self.address = address
            self.behaviour = Mutex(behaviour)
            self.responder = responder
            self.random = Mutex(SeededRandomNumberGenerator(seed: seed))
        }

        func replies(to bytes: [UInt8]) -> [[UInt8]] {
            received.add(1, ordering: .relaxed)
            let behaviour = self.behaviour.withLock { $0 }
            let elapsed = ContinuousClock.now - started
            let engineTime = Int32(clamping: elapsed.components.seconds)
            return random.withLock { random in
                responder.replies(to: bytes, behaviour: behaviour, engineTime: engineTime, random: &random)
            }
        }
    }

    let port: Int
    private let nodes: [String: Node]
    private let channels: [any Channel]

    private init(port: Int, nodes: [String: Node], channels: [any Channel]) {
        self.port = port
        self.nodes = nodes
        self.channels = channels
    }

    /// Starts one node per entry of `behaviours` (address to behaviour) for the v3 `user`, on one
    /// free port (another one, up to five times, when an address has it taken).
    static func start(_ behaviours: [String: ChaosBehaviour], user: USMUser, seed: UInt64) async throws
        -> ChaosFleet
    {
        let keyCache = USMKeyCache()
        var nodes: [String: Node] = [:]
        for (index, (address, behaviour)) in behaviours.sorted(by: { $0.key < $1.key }).enumerated() {
            nodes[address] = Node(
                address: address, behaviour: behaviour,
                responder: ChaosResponder(address: address, user: user, keyCache: keyCache),
                seed: seed &+ UInt64(index))
        }
        var lastError: any Error = PeerError("the chaos fleet did not start")
        for _ in 0..<5 {
            var channels: [any Channel] = []
            var port = 0
            do {
                for node in nodes.values.sorted(by: { $0.address < $1.address })
                where node.behaviour.withLock({ $0 }) != .unreachable {
                    let channel = try await bind(node, port: port)
                    channels.append(channel)
                    port = channel.localAddress?.port ?? 0
                }
                // Nothing may listen on an unreachable node's address.
                for node in nodes.values where node.behaviour.withLock({ $0 }) == .unreachable {
                    if !udpPortIsFree(host: node.address, port: port) {
                        throw PeerError("\(node.address):\(port) is taken")
                    }
                }
                return ChaosFleet(port: port, nodes: nodes, channels: channels)
            } catch {
                lastError = error
                for channel in channels { try? await channel.close() }
            }
        }
        throw lastError
    }

    private static func bind(_ node: Node, port: Int) async throws -> any Channel {
        try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ChaosAgentHandler(node: node))
                }
            }
            .bind(host: node.address, port: port).get()
    }

    /// Whether a UDP socket could bind `host`:`port` right now.
    private static func udpPortIsFree(host: String, port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    /// Makes the node at `address` behave as `behaviour` from its next datagram on. Not
    /// `unreachable`: a node's socket stays until `stop()`.
    func set(_ address: String, _ behaviour: ChaosBehaviour) {
        precondition(behaviour != .unreachable, "a node becomes unreachable only at the start")
        nodes[address]?.behaviour.withLock { $0 = behaviour }
    }

    func behaviour(_ address: String) -> ChaosBehaviour? { nodes[address]?.behaviour.withLock { $0 } }

    /// Datagrams the node at `address` received so far.
    func received(_ address: String) -> Int { nodes[address]?.received.load(ordering: .relaxed) ?? 0 }

    func stop() async {
        for channel in channels { try? await channel.close() }
    }
}

/// Hands every datagram to its node and sends what the node answers back to the sender.
private final class ChaosAgentHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let node: ChaosFleet.Node

    init(node: ChaosFleet.Node) {
        self.node = node
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let replies = node.replies(to: Array(envelope.data.readableBytesView))
        guard !replies.isEmpty else { return }
        for reply in replies {
            context.write(
                wrapOutboundOut(
                    AddressedEnvelope(
                        remoteAddress: envelope.remoteAddress,
                        data: context.channel.allocator.buffer(bytes: reply)
                    )),
                promise: nil)
        }
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors for replies to a closed client port, and the like: the node keeps serving.
    }
}
