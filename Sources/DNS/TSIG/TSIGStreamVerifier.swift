/// Verifies a multi-message response (RFC 8945 section 5.3.1): the first message must be signed,
/// at most 99 unsigned messages may follow a signed one, each signed message's MAC covers the
/// previous MAC and every message since, and the stream must end with a signed message.
public struct TSIGStreamVerifier: Sendable {
    public let verifier: TSIGVerifier
    private var previousMAC: [UInt8]
    private var unsignedOctets: [UInt8] = []
    private var unsignedCount = 0
    private var keyName: DomainName?

    public init(verifier: TSIGVerifier, requestMAC: [UInt8]) {
        self.verifier = verifier
        self.previousMAC = requestMAC
    }

    /// Verifies the next message and returns it without its TSIG record.
    public mutating func verify(_ bytes: [UInt8]) throws(TSIGError) -> DNSMessage {
        guard let signed = try verifier.locate(bytes) else {
            guard keyName != nil else {
                throw TSIGError(.missing, "the first message of the stream is not signed")
            }
            guard unsignedCount < 99 else {
                throw TSIGError(.tooManyUnsignedMessages, "100 unsigned messages in a row")
            }
            // Unsigned messages are covered whole, as received (RFC 8945 section 5.3.1).
            unsignedOctets += bytes
            unsignedCount += 1
            do {
                return try DNSMessage(decoding: bytes)
            } catch {
                throw TSIGError(.malformed, error.description)
            }
        }
        if let keyName, keyName != signed.keyName {
            throw TSIGError(.badKey, "the stream changed key from \(keyName) to \(signed.keyName)")
        }
        let verified = try verifier.check(
            signed, priorMAC: previousMAC, unsignedBefore: unsignedOctets, timersOnly: keyName != nil)
        keyName = signed.keyName
        previousMAC = verified.mac
        unsignedOctets = []
        unsignedCount = 0
        return verified.message
    }

    /// Call when the stream ends: it must have started and ended with a signed message.
    public func finish() throws(TSIGError) {
        guard keyName != nil else { throw TSIGError(.missing, "the stream had no signed message") }
        guard unsignedCount == 0 else {
            throw TSIGError(
                .unsignedLastMessage, "the stream ended with \(unsignedCount) unsigned message(s)")
        }
    }
}
