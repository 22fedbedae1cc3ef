/// A message whose TSIG verified: the message without its TSIG record, the key that signed it,
/// and the record, whose `mac` a response to it must chain.
public struct TSIGVerifiedMessage: Hashable, Sendable {
    public let message: DNSMessage
    public let key: TSIGKey
    public let record: TSIGRecord

    /// The MAC to pass as `requestMAC` when signing or verifying the answer to this message.
    public var mac: [UInt8] { record.mac }
}
