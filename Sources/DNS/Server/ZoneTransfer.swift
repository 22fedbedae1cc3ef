/// Full zone transfers (AXFR, RFC 5936): the zone as a sequence of TCP messages holding its
/// SOA, every other record, and the SOA again.
enum ZoneTransfer {
    /// The size the messages of a transfer aim for: well under the 64 KiB TCP limit, so that
    /// one large record still fits beside others, and small enough to interleave with other work.
    static let messageSize = 16_384
    /// How many records are tried per message, to keep packing linear in the zone size.
    static let batch = 1000

    /// The wire messages answering `request` (an AXFR for `zone`'s apex), or nil when a single
    /// record cannot be written even alone in a 65535-octet message.
    static func messages(answering request: DNSMessage, from zone: Zone) -> [[UInt8]]? {
        let records = [zone.soaRecord] + zone.recordsWithoutSOA + [zone.soaRecord]
        var messages: [[UInt8]] = []
        var start = 0
        while start < records.count {
            // RFC 5936 section 2.2: the question is in the first message only.
            var message = DNSMessage(
                id: request.id, isResponse: true, opcode: .query, isAuthoritative: true,
                questions: messages.isEmpty ? request.questions : [],
                answers: Array(records[start..<min(records.count, start + batch)]),
                edns: request.edns.map { _ in EDNS(udpPayloadSize: AuthoritativeResponder.payloadSize) })
            guard var bytes = try? message.encode(maximumSize: messageSize) else { return nil }
            var count = Int(bytes[6]) << 8 | Int(bytes[7])
            if count == 0 {
                // One record larger than the target size: alone, at the TCP limit.
                message.answers = [records[start]]
                guard let single = try? message.encode(maximumSize: 0xFFFF), single[7] == 1 else {
                    return nil
                }
                bytes = single
                count = 1
            }
            // The TC bit only says that the records after these come in the next message.
            bytes[2] &= ~0x02
            messages.append(bytes)
            start += count
        }
        return messages
    }
}
