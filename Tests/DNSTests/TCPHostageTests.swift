import Foundation
import LBCore
import NIOCore
import NIOEmbedded
import Testing

@testable import DNS

/// Issue 12, item 2: no TCP client, nor a crowd of them, can hold the server hostage. Each
/// message has a whole deadline, each client address a connection limit, each connection a
/// bound on unsent answers, and the transfer sources a reserve of connections.
@Suite(.serialized) struct TCPHostageTests {
    // MARK: EmbeddedChannel

    private static func framed(_ message: DNSMessage) throws -> [UInt8] {
        let bytes = try message.encode()
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    private static let query = DNSMessage(
        id: 9, questions: [Question(name: try! DomainName(parsing: "www.example.org"), type: .a)])

    private static func connection(
        _ configuration: DNSServerConfiguration, front: (any ChannelHandler)? = nil
    ) throws -> EmbeddedChannel {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let processor = DNSQueryProcessor(
            store: store, responder: AuthoritativeResponder(), configuration: configuration)
        let channel = EmbeddedChannel()
        if let front { try channel.pipeline.syncOperations.addHandler(front) }
        try DNSServer.addTCPHandlers(to: channel, processor: processor, configuration: configuration)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5353)).wait()
        return channel
    }

    /// The last autoRead the handler set (EmbeddedChannel's getOption always says true).
    private static func autoRead(_ channel: EmbeddedChannel) -> Bool? {
        channel.options.last { $0.option is ChannelOptions.Types.AutoReadOption }?.value as? Bool
    }

    @Test func aTricklingClientIsClosedAtItsMessageDeadline() throws {
        let channel = try Self.connection(
            DNSServerConfiguration(tcpIdleTimeout: .seconds(10), tcpMessageTimeout: .seconds(5)))
        let bytes = try Self.framed(Self.query)
        // One octet a second, far inside the idle timeout: the deadline for the whole message
        // still passes after 5 s.
        for second in 0..<bytes.count {
            guard channel.isActive else {
                #expect(second == 5)
                return
            }
            try channel.writeInbound(channel.allocator.buffer(bytes: [bytes[second]]))
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
        Issue.record("the trickling connection was never closed")
    }

    @Test func aSlowButCompleteMessageIsAnsweredAndIdleIsSeparate() throws {
        let channel = try Self.connection(
            DNSServerConfiguration(tcpIdleTimeout: .seconds(3), tcpMessageTimeout: .seconds(5)))
        // Silent for 2 s (under the idle timeout), then the message over 4 s (under its deadline).
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        let bytes = try Self.framed(Self.query)
        for (index, chunk) in [bytes[..<2], bytes[2..<10], bytes[10...]].enumerated() {
            if index > 0 { channel.embeddedEventLoop.advanceTime(by: .seconds(2)) }
            try channel.writeInbound(channel.allocator.buffer(bytes: Array(chunk)))
        }
        let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(answer.readableBytes > 12)
        #expect(channel.isActive)
        // Then idle: closed once the idle timeout passes with no new message.
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aClientThatNeverReadsIsBoundedThenClosedAndItsOutputFreed() throws {
        let stall = StalledWrites()
        let channel = try Self.connection(
            DNSServerConfiguration(
                tcpIdleTimeout: .seconds(60), tcpMessageTimeout: .seconds(60), tcpWriteTimeout: .seconds(2),
                maximumTCPOutputBytes: 2_000),
            front: stall)
        let one = try Self.framed(Self.query)
        try channel.writeInbound(channel.allocator.buffer(bytes: Array((0..<200).map { _ in one }.joined())))
        let handler = try channel.pipeline.syncOperations.handler(type: DNSTCPHandler.self)
        // Answers stop once 2,000 octets wait unsent, and so does reading.
        #expect(stall.held.count > 0)
        #expect(stall.held.count < 40)
        #expect(handler.queuedBytes <= 2_000 + 200)
        #expect(Self.autoRead(channel) == false)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(stall.held.isEmpty)
        #expect(handler.queuedBytes == 0)
    }

    @Test func aClientThatCatchesUpGetsEveryAnswerInOrder() throws {
        let stall = StalledWrites()
        let channel = try Self.connection(
            DNSServerConfiguration(tcpWriteTimeout: .seconds(60), maximumTCPOutputBytes: 2_000), front: stall)
        var queries: [UInt8] = []
        for id in 0..<100 {
            var query = Self.query
            query.id = UInt16(id)
            queries += try Self.framed(query)
        }
        try channel.writeInbound(channel.allocator.buffer(bytes: queries))
        var ids: [UInt16] = []
        for _ in 0..<200 where ids.count < 100 {
            for buffer in stall.release() {
                ids.append(buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) ?? 0xFFFF)
            }
        }
        #expect(ids == (0..<100).map { UInt16($0) })
        #expect(Self.autoRead(channel) != false)
        #expect(channel.isActive)
    }

    // MARK: Real sockets

    private func withServer(
        _ configuration: DNSServerConfiguration, _ body: (DNSServer, Int) async throws -> Void
    ) async throws {
        let store = ZoneStore()
        store.replace(ZoneFixtures.exampleOrg())
        let server = DNSServer(configuration: configuration, store: store)
        let address = try await server.start()
        let port = try #require(address.port)
        do {
            try await body(server, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private static func configuration(
        idle: Int64 = 30, message: Int64 = 30, write: Int64 = 30, outputBytes: Int = 256 << 10,
        connections: Int = 256, perSource: Int = 16, reserve: Int = 16, transferSources: Set<String> = []
    ) -> DNSServerConfiguration {
        DNSServerConfiguration(
            host: "127.0.0.1", port: 0, udpSockets: 1, tcpIdleTimeout: .seconds(idle),
            tcpMessageTimeout: .seconds(message), tcpWriteTimeout: .seconds(write),
            maximumTCPOutputBytes: outputBytes, maximumTCPConnections: connections,
            maximumTCPConnectionsPerSource: perSource, transferConnectionReserve: reserve,
            transferSources: transferSources)
    }

    /// Polls `condition` every 50 ms for at most `seconds`.
    private func eventually(within seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test func aSlowLorisOverSocketsIsClosedWhileOthersAreServed() async throws {
        try await withServer(Self.configuration(idle: 30, message: 1)) { server, port in
            let loris = try (0..<4).map { _ in try TestDNSSocket(tcp: true, port: port) }
            // A byte every 250 ms for 2.5 s: each lands well inside any per-byte timeout.
            for _ in 0..<10 {
                for socket in loris { socket.send([0]) }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(try await eventually(within: 2) { server.openTCPConnections == 0 })
            let good = try TestDNSSocket(tcp: true, port: port)
            #expect(try await good.exchangeTCP(Self.query)?.answers.count == 3)
        }
    }

    @Test func thePerSourceLimitRefusesTheExtraConnection() async throws {
        try await withServer(Self.configuration(perSource: 2)) { server, port in
            let held = try (0..<2).map { _ in try TestDNSSocket(tcp: true, port: port, source: "127.0.0.2") }
            for socket in held { #expect(try await socket.exchangeTCP(Self.query)?.answers.count == 3) }
            let extra = try TestDNSSocket(tcp: true, port: port, timeout: 2, source: "127.0.0.2")
            #expect(try await extra.exchangeTCP(Self.query) == nil)
            let other = try TestDNSSocket(tcp: true, port: port, source: "127.0.0.3")
            #expect(try await other.exchangeTCP(Self.query)?.answers.count == 3)
            #expect(server.openTCPConnections == 3)
        }
    }

    @Test func aTransferSourceTransfersWhileOthersHoldEveryConnection() async throws {
        let configuration = Self.configuration(
            connections: 4, perSource: 2, reserve: 1, transferSources: ["127.0.0.9"])
        try await withServer(configuration) { server, port in
            var held: [TestDNSSocket] = []
            for source in ["127.0.0.2", "127.0.0.3"] {
                for _ in 0..<2 {
                    let socket = try TestDNSSocket(tcp: true, port: port, source: source)
                    #expect(try await socket.exchangeTCP(Self.query) != nil)
                    held.append(socket)
                }
            }
            let refused = try TestDNSSocket(tcp: true, port: port, timeout: 2, source: "127.0.0.4")
            #expect(try await refused.exchangeTCP(Self.query) == nil)
            let secondary = try TestDNSSocket(tcp: true, port: port, source: "127.0.0.9")
            let axfr = DNSMessage(
                id: 5, questions: [Question(name: try DomainName(parsing: "example.org"), type: .axfr)])
            let first = try #require(try await secondary.exchangeTCP(axfr))
            #expect(first.responseCode == .noError)
            #expect(first.answers.first?.type == .soa)
            #expect(server.openTCPConnections == 5)
        }
    }

    @Test func aPipeliningClientThatNeverReadsIsClosed() async throws {
        try await withServer(Self.configuration(write: 1, outputBytes: 16 << 10)) { server, port in
            let client = try TestDNSSocket(tcp: true, port: port, receiveBuffer: 4096)
            let one = try Self.framed(Self.query)
            let chunk = Array((0..<1000).map { _ in one }.joined())
            // Sends without reading until the server stops taking queries (the socket buffers
            // fill), at most 400 chunks or 5 s.
            let deadline = Date().addingTimeInterval(5)
            var sent = 0
            var blocked = 0
            while sent < 400, blocked < 10, Date() < deadline {
                let count = chunk.withUnsafeBytes {
                    Glibc.send(
                        client.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                }
                if count == chunk.count {
                    sent += 1
                    blocked = 0
                } else {
                    // A partial send leaves half a query; it is completed by nothing, which is
                    // fine: the message deadline is 30 s, far beyond the write deadline.
                    blocked += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(try await eventually(within: 5) { server.openTCPConnections == 0 })
            let good = try TestDNSSocket(tcp: true, port: port)
            #expect(try await good.exchangeTCP(Self.query)?.answers.count == 3)
        }
    }
}

/// Holds every write as a client that never reads would leave it, until released; on close it
/// fails them as a socket does.
private final class StalledWrites: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private(set) var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var context: ChannelHandlerContext?

    var heldBuffers: [ByteBuffer] { held.map(\.0) }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        held.append((unwrapOutboundIn(data), promise))
    }

    func flush(context: ChannelHandlerContext) {}

    /// Completes what is held, as a client reading would; returns what it took.
    func release() -> [ByteBuffer] {
        let taken = held
        held = []
        for (_, promise) in taken { promise?.succeed() }
        return taken.map(\.0)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        let dropped = held
        held = []
        for (_, promise) in dropped { promise?.fail(ChannelError.ioOnClosedChannel) }
        context.close(mode: mode, promise: promise)
    }
}
