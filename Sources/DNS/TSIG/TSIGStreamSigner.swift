/// Signs every message of a multi-message response such as an AXFR over TCP (RFC 8945 section
/// 5.3.1): the first chains the request MAC, each later one the MAC before it, with timers only.
public struct TSIGStreamSigner: Sendable {
    public let signer: TSIGSigner
    private var previousMAC: [UInt8]
    private var isFirst = true

    public init(signer: TSIGSigner, requestMAC: [UInt8]) {
        self.signer = signer
        self.previousMAC = requestMAC
    }

    /// Signs the next message of the stream, given in wire form.
    public mutating func sign(wire: [UInt8]) throws(TSIGError) -> [UInt8] {
        try TSIGSigner.checkHeader(wire)
        let signed = signer.signWire(wire, priorMAC: previousMAC, timersOnly: !isFirst)
        previousMAC = signed.mac
        isFirst = false
        return signed.bytes
    }
}
