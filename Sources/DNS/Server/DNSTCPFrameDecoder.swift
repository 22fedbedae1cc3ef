import NIOCore

/// Splits a TCP stream into DNS messages, each preceded by its 2-octet length (RFC 1035
/// section 4.2.2). A length of 0 or over the limit is a protocol error that closes the
/// connection, so a client cannot make the server buffer more than `maximumSize` octets.
///
/// When a read leaves part of a message buffered, the decoder says so with a `PartialMessage`
/// event, so that the handler after it can hold the client to a deadline for the whole message.
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Why a connection is closed.
    struct FrameTooLarge: Error {
        let length: Int
    }

    /// The user event sent when some octets of a message have arrived but not all of them.
    struct PartialMessage: Equatable {}

    let maximumSize: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else {
            return waitForMore(context: context, buffer: buffer)
        }
        guard length > 0, Int(length) <= maximumSize else { throw FrameTooLarge(length: Int(length)) }
        guard buffer.readableBytes >= 2 + Int(length) else {
            return waitForMore(context: context, buffer: buffer)
        }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let message = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    private func waitForMore(context: ChannelHandlerContext, buffer: ByteBuffer) -> DecodingState {
        if buffer.readableBytes > 0 {
            context.fireUserInboundEventTriggered(PartialMessage())
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A partial message at the end of the stream is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.clear()
        return .needMoreData
    }
}
