import LBTestSupport
import SNMP
import Testing

/// Every case of every public enum and error type of the SNMP library formats without calling
/// itself (`SNMPErrorStatus.description` once did, crashing lbd on any error-status reply).
@Suite struct FormattingTests {
    @Test func everyErrorStatusHasItsRFCName() {
        #expect(SNMPErrorStatus.allCases.count == 19)
        for status in SNMPErrorStatus.allCases {
            #expect(status.description == Self.rfc3416Names[status.rawValue])
            #expect(Formatting.unformatted([status]).isEmpty)
        }
    }

    @Test func everyPublicEnumAndErrorCaseFormats() throws {
        let oid = try #require(OID(".1.3.6.1.4.1.96.255.1"))
        var values: [Any] = []
        values += SNMPErrorStatus.allCases as [Any]
        values += SNMPVersion.allCases as [Any]
        values += AuthenticationProtocol.allCases as [Any]
        values += PrivacyProtocol.allCases as [Any]
        values += SecurityLevel.allCases as [Any]
        values +=
            [
                USMError.unsupportedSecurityLevel, .notInTimeWindow, .unknownUserName, .unknownEngineID,
                .wrongDigest, .decryptionError,
            ].map { $0 as Any }
        values +=
            [
                SNMPDecodingError.truncated(offset: 3), .badLength(offset: 1),
                .unexpectedTag(expected: 0x30, found: 0x02, offset: 0), .badValue("x", offset: 2),
                .trailingBytes(count: 4), .tooDeep, .unsupportedVersion(9), .unknownPDUType(0xAF),
            ].map { $0 as Any }
        values +=
            [
                SNMPAgentError(.invalidEngineID, "m"), SNMPAgentError(.invalidEngineBoots, "m"),
                SNMPAgentError(.invalidUser, "m"), SNMPAgentError(.invalidPort, "m"),
                SNMPAgentError(.invalidLimit, "m"), SNMPAgentError(.alreadyRunning, "m"),
            ].map { $0 as Any }
        values += [USMPrivacy.Failure.badSalt, .shortKey, .cryptoFailure].map { $0 as Any }
        values +=
            [
                SNMPValue.integer(1), .octetString([0x41]), .null, .objectIdentifier(oid),
                .ipAddress(127, 0, 0, 1),
                .counter32(1), .gauge32(2), .timeTicks(3), .opaque([1]), .counter64(4), .noSuchObject,
                .noSuchInstance, .endOfMibView,
            ].map { $0 as Any }
        values +=
            [
                PDU.Kind.getRequest, .getNextRequest, .response, .setRequest, .getBulkRequest, .informRequest,
                .trap, .report,
            ].map { $0 as Any }
        values += SNMPClientError.formattingSamples(oid: oid) as [Any]
        #expect(Formatting.unformatted(values).isEmpty)
    }

    private static let rfc3416Names = [
        "noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess", "wrongType",
        "wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue",
        "resourceUnavailable", "commitFailed", "undoFailed", "authorizationError", "notWritable",
        "inconsistentName",
    ]
}

extension SNMPClientError {
    /// One value of every case. The switch does not compile when a case is added without a
    /// sample here.
    static func formattingSamples(oid: OID) -> [SNMPClientError] {
        let samples: [SNMPClientError] = [
            .timeout(attempts: 1), .timeout(attempts: 2), .errorStatus(.authorizationError, index: 0),
            .security(.wrongDigest), .unexpectedReport(oid), .unexpectedReport(nil), .malformedResponse("x"),
            .unexpectedBindingCount(received: 0, requested: 1), .engineMismatch, .unsupportedAddress("::1"),
            .sendFailed("x"), .shutDown,
        ]
        for sample in samples {
            switch sample {
            case .timeout, .errorStatus, .security, .unexpectedReport, .malformedResponse,
                .unexpectedBindingCount, .engineMismatch, .unsupportedAddress, .sendFailed, .shutDown:
                break
            }
        }
        return samples
    }
}
