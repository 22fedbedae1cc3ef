import NIOCore

extension AddressedEnvelope where DataType == ByteBuffer {
    /// An envelope sending `data` back to this datagram's sender, from the address the datagram
    /// was sent to when it is known (a channel bound by `UDPReplySource` on a wildcard address);
    /// otherwise the kernel chooses, as for any write.
    public func reply(_ data: ByteBuffer) -> AddressedEnvelope<ByteBuffer> {
        AddressedEnvelope(remoteAddress: remoteAddress, data: data, metadata: replyMetadata)
    }

    /// The metadata that makes an answer leave from this datagram's destination; `nil` when the
    /// destination is unknown, so that the answer is written exactly as before.
    public var replyMetadata: AddressedEnvelope<ByteBuffer>.Metadata? {
        guard let packetInfo = metadata?.packetInfo else { return nil }
        return .init(ecnState: .transportNotCapable, packetInfo: packetInfo)
    }
}
