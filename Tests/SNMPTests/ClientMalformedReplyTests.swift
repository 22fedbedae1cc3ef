import NIOCore
import NIOPosix
import Testing

@testable import SNMP

/// A v2c agent on 127.0.0.1 that answers each GET with the datagrams `answer` builds from it, in
/// order: garbage, truncated or mistyped answers, answers to other requests.
final class ScriptedAgent: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let answer: @Sendable (CommunityMessage) -> [[UInt8]]

    init(answer: @escaping @Sendable (CommunityMessage) -> [[UInt8]]) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes),
            let request = try? CommunityMessage(decoding: bytes)
        else { return }
        for datagram in answer(request) {
            context.writeAndFlush(
                wrapOutboundOut(
                    AddressedEnvelope(
                        remoteAddress: envelope.remoteAddress,
                        data: context.channel.allocator.buffer(bytes: datagram))),
                promise: nil)
        }
    }

    /// A response to `request` with `bindings`, as `kind`, with the request's id plus `idOffset`.
    static func response(
        to request: CommunityMessage, kind: PDU.Kind = .response, idOffset: Int32 = 0,
        bindings: [VariableBinding]? = nil
    ) -> [UInt8] {
        CommunityMessage(
            version: .v2c, community: request.community,
            pdu: PDU(
                kind: kind, requestID: request.pdu.requestID &+ idOffset,
                variableBindings: bindings
                    ?? request.pdu.variableBindings.map { VariableBinding(oid: $0.oid, value: .integer(7)) })
        ).encoded()
    }
}

@Suite struct ClientMalformedReplyTests {
    static let oid = OID("1.3.6.1.4.1.96.255.1")!

    /// GETs the load OID from a scripted agent, with short timeouts and one retry.
    private func get(answering answer: @escaping @Sendable (CommunityMessage) -> [[UInt8]]) async throws
        -> Result<[VariableBinding], SNMPClientError>
    {
        let agent = ScriptedAgent(answer: answer)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(agent)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await SNMPClient.start()
        let address = try #require(channel.localAddress)
        let result: Result<[VariableBinding], SNMPClientError>
        do {
            result = .success(
                try await client.get(
                    [Self.oid], from: address, credentials: .community("public"), timeout: .milliseconds(300),
                    retries: 1))
        } catch let error as SNMPClientError {
            result = .failure(error)
        }
        #expect(client.requestsInFlight == 0)
        await client.shutdown()
        try await channel.close()
        return result
    }

    private func isMalformed(_ result: Result<[VariableBinding], SNMPClientError>) -> Bool {
        if case .failure(.malformedResponse) = result { return true }
        return false
    }

    @Test func garbageIsAMalformedAnswerNotATimeout() async throws {
        let result = try await get { _ in [Array("this is not SNMP".utf8)] }
        #expect(isMalformed(result), "\(result)")
    }

    @Test func aTruncatedAnswerIsMalformedNotATimeout() async throws {
        let result = try await get { request in
            let whole = ScriptedAgent.response(to: request)
            return [Array(whole.prefix(whole.count / 2))]
        }
        #expect(isMalformed(result), "\(result)")
    }

    @Test func anAnswerOfAnUnsupportedVersionIsMalformed() async throws {
        let result = try await get { _ in [[0x30, 0x03, 0x02, 0x01, 0x07]] }
        #expect(isMalformed(result), "\(result)")
    }

    @Test func aPDUOfTheWrongTypeIsMalformed() async throws {
        let result = try await get { [ScriptedAgent.response(to: $0, kind: .getRequest)] }
        #expect(isMalformed(result), "\(result)")
    }

    @Test func aWrongNumberOfBindingsIsNamed() async throws {
        let two = [
            VariableBinding(oid: Self.oid, value: .integer(1)),
            VariableBinding(oid: Self.oid, value: .integer(2)),
        ]
        let result = try await get { [ScriptedAgent.response(to: $0, bindings: two)] }
        #expect(result == .failure(.unexpectedBindingCount(received: 2, requested: 1)))
        let none = try await get { [ScriptedAgent.response(to: $0, bindings: [])] }
        #expect(none == .failure(.unexpectedBindingCount(received: 0, requested: 1)))
    }

    @Test func anAnswerWithAnotherRequestIDIsIgnoredAndTheRealOneMatches() async throws {
        let result = try await get { request in
            [ScriptedAgent.response(to: request, idOffset: 1), ScriptedAgent.response(to: request)]
        }
        #expect(result == .success([VariableBinding(oid: Self.oid, value: .integer(7))]))
    }

    @Test func garbageBeforeTheRealAnswerDoesNotCutTheWaitShort() async throws {
        let result = try await get { request in [[0xFF, 0x00], ScriptedAgent.response(to: request)] }
        #expect(result == .success([VariableBinding(oid: Self.oid, value: .integer(7))]))
    }

    @Test func onlyAnswersWithAnotherRequestIDAreATimeout() async throws {
        let result = try await get { [ScriptedAgent.response(to: $0, idOffset: 5)] }
        #expect(result == .failure(.timeout(attempts: 2)))
    }
}
