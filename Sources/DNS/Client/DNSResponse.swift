/// A successful (NOERROR) answer received by `DNSClient`.
public struct DNSResponse: Hashable, Sendable {
    /// The answer; when it was TSIG-signed, without its TSIG record (that is in `tsig`).
    public let message: DNSMessage
    /// The transport of the exchange that produced `message`: TCP after a truncated UDP answer,
    /// or when the request did not fit in a datagram.
    public let transport: DNSTransport
    /// The verified TSIG record of the answer to a signed request.
    public let tsig: TSIGRecord?
    /// The size of the request as sent, TSIG record included.
    public let requestSize: Int

    public init(message: DNSMessage, transport: DNSTransport, tsig: TSIGRecord?, requestSize: Int) {
        self.message = message
        self.transport = transport
        self.tsig = tsig
        self.requestSize = requestSize
    }
}
