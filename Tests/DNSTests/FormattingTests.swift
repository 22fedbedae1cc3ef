import DNS
import LBTestSupport
import Testing

/// Every case of every public enum and error type of the DNS library formats without calling
/// itself.
@Suite struct FormattingTests {
    @Test func everyPublicEnumAndErrorCaseFormats() throws {
        let name = try DomainName(parsing: "www.example.org")
        var values: [Any] = []
        values += [DNSTransport.udp, .tcp].map { $0 as Any }
        values += TSIGAlgorithm.allCases as [Any]
        values +=
            [
                DNSClientError.Code.responseCode(.refused), .tsig(TSIGError(.badKey, "k")), .timeout,
                .connectionFailed, .malformedResponse, .invalidRequest,
            ].map { DNSClientError($0, "message") } as [Any]
        values +=
            [
                DNSDecodingError.Code.truncated, .pointerLoop, .forwardPointer, .pointerOutOfRange,
                .labelTooLong,
                .badLabelType, .nameTooLong, .badRecordData, .badOPT, .trailingBytes, .tooManyPointers,
                .tooManyNameOctets,
            ].map { DNSDecodingError($0, offset: 12, "detail") } as [Any]
        values +=
            [
                DNSEncodingError.Code.stringTooLong, .recordDataTooLong, .tooManyRecords,
                .extendedResponseCodeWithoutEDNS, .valueOutOfRange,
            ].map { DNSEncodingError($0, "detail") } as [Any]
        values +=
            [
                ZoneError.outOfZone(name), .soaInRecords(name), .unsupportedRecord(name, .txt),
                .cnameAndOtherData(name),
            ].map { $0 as Any }
        values +=
            [
                TSIGError.Code.missing, .misplaced, .badKey, .badSignature, .badTime, .unsupportedAlgorithm,
                .malformed,
                .rejectedByPeer, .tooManyUnsignedMessages, .unsignedLastMessage,
            ].map { TSIGError($0, "detail", peerError: .notAuth) } as [Any]
        values +=
            [
                DomainName.ParseError.empty, .emptyLabel, .labelTooLong("x"), .nameTooLong(300),
                .invalidCharacter("_"),
            ].map { $0 as Any }
        values +=
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 4000].map { ResponseCode(rawValue: $0) } as [Any]
        values += [RecordType.a, .aaaa, .soa, .tsig, RecordType(rawValue: 65000)].map { $0 as Any }
        values += [RecordClass.in, .ch, .none, .any, RecordClass(rawValue: 77)].map { $0 as Any }
        values += [Opcode.query, .notify, .update, Opcode(rawValue: 9)].map { $0 as Any }
        values +=
            [
                RecordData.a(IPv4Address(127, 0, 0, 1)), .ns(name), .cname(name), .ptr(name), .txt([[0x41]]),
                .opt([]), .empty(.a), .unknown(RecordType(rawValue: 999), [1, 2]),
            ].map { $0 as Any }
        values.append(name)
        #expect(Formatting.unformatted(values).isEmpty)
    }
}
