/// Zone transfers: what records an AXFR (RFC 5936) or IXFR (RFC 1995) answer holds, and how they
/// are packed into the messages of a TCP stream.
enum ZoneTransfer {
    /// The size the messages of a transfer aim for: well under the 64 KiB TCP limit, so that
    /// one large record still fits beside others (and a TSIG record after them), and small
    /// enough to interleave with other work.
    static let messageSize = 16_384
    /// How many records are tried per message, to keep packing linear in the zone size.
    static let batch = 1000

    /// A full transfer: the SOA, every other record, and the SOA again.
    static func fullRecords(of zone: Zone) -> [ResourceRecord] {
        [zone.soaRecord] + zone.recordsWithoutSOA + [zone.soaRecord]
    }

    /// The answer records of an IXFR from `clientSerial` (RFC 1995 section 4):
    /// - the current SOA alone when the client is up to date (or claims a newer serial);
    /// - the current SOA, then for each kept difference the old SOA, the records removed, the new
    ///   SOA and the records added, then the current SOA again, when `history` reaches back to
    ///   `clientSerial`;
    /// - otherwise a full transfer, which the client recognises by the second record not being
    ///   a SOA.
    static func incrementalRecords(
        of zone: Zone, history: [ZoneDifference], from clientSerial: UInt32
    ) -> [ResourceRecord] {
        let current = zone.soa.serial
        guard SerialNumber.isGreater(current, than: clientSerial) else { return [zone.soaRecord] }
        guard let start = history.firstIndex(where: { $0.oldSerial == clientSerial }),
            history.last?.newSerial == current
        else { return fullRecords(of: zone) }
        var records = [zone.soaRecord]
        for difference in history[start...] {
            records.append(difference.oldSOA)
            records += difference.removed
            records.append(difference.newSOA)
            records += difference.added
        }
        records.append(zone.soaRecord)
        return records
    }

    /// `records` answering `request` as TCP messages, or nil when a single record cannot be
    /// written even alone in a 65535-octet message. `reserve` octets are left free in each for
    /// a TSIG record.
    static func messages(
        answering request: DNSMessage, records: [ResourceRecord], reserve: Int = 0
    ) -> [[UInt8]]? {
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
                guard let single = try? message.encode(maximumSize: 0xFFFF - reserve), single[7] == 1 else {
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
