import DNS
import LBCore
import NIOCore
import NIOEmbedded
import Testing

/// A bounded sample of `lbbench fuzz` for DNS, with the same mutator and seeds: the message
/// decoder and the server over UDP and TCP (its own framing decoder) take mutated and random
/// input without crashing, and answers stay within the transport's size.
@Suite struct DNSFuzzSampleTests {
    static let inputs = 3_000

    @Test(.timeLimit(.minutes(2))) func udpAnswersToMutatedRequestsFitTheirDatagram() {
        let probe = DNSFuzzProbe()
        let mutator = ByteMutator(maximumSize: 65_507)
        var generator = SeededRandomNumberGenerator(seed: 0xD0_01)
        var answered = 0
        for round in 0..<Self.inputs {
            let input = mutator.sampleInput(round, seeds: probe.requests + probe.responses, using: &generator)
            _ = try? DNSMessage(decoding: input)
            if let answer = probe.answerUDP(input) {
                #expect(answer.count <= probe.configuration.maximumUDPResponseSize)
                answered += 1
            }
        }
        #expect(answered >= probe.requests.count)
    }

    @Test(.timeLimit(.minutes(2))) func tcpStreamsThroughTheFramingDecoderGetFramedAnswers() throws {
        let probe = DNSFuzzProbe()
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: 5353)
        let streams = probe.requests.map { [UInt8(0), UInt8($0.count)] + $0 }
        let mutator = ByteMutator(maximumSize: 65_536)
        var generator = SeededRandomNumberGenerator(seed: 0xD0_02)
        var answered = 0
        for round in 0..<(Self.inputs / 3) {
            let stream = mutator.sampleInput(round, seeds: streams, using: &generator)
            let channel = EmbeddedChannel(handlers: [probe.makeFrameDecoder(), Answerer(probe: probe)])
            try channel.connect(to: peer).wait()
            _ = try? channel.writeInbound(ByteBuffer(bytes: stream))
            while let answer = try channel.readOutbound(as: ByteBuffer.self) {
                #expect(answer.readableBytes <= 0xFFFF + 2)
                #expect(
                    Int(answer.getInteger(at: answer.readerIndex, as: UInt16.self) ?? 0) == answer
                        .readableBytes - 2)
                answered += 1
            }
            _ = try? channel.finish()
        }
        #expect(answered >= streams.count)
    }

}

/// Answers framed messages as the server's connection handler does.
private final class Answerer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let probe: DNSFuzzProbe

    init(probe: DNSFuzzProbe) { self.probe = probe }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for answer in probe.answerTCP(Array(unwrapInboundIn(data).readableBytesView)) {
            var buffer = context.channel.allocator.buffer(capacity: answer.count + 2)
            buffer.writeInteger(UInt16(answer.count))
            buffer.writeBytes(answer)
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
        context.flush()
    }
}
