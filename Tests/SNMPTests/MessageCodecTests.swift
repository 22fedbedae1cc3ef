import Testing

@testable import SNMP

@Suite struct MessageCodecTests {
    let loadOID = OID(".1.3.6.1.4.1.96.255.1")!

    @Test func aV2cGetEncodesAsSnmpgetSendsIt() {
        // snmpget -v2c -c public HOST .1.3.6.1.4.1.96.255.1, request-id 0x1234.
        let message = CommunityMessage(
            version: .v2c, community: Array("public".utf8),
            pdu: PDU(kind: .getRequest, requestID: 0x1234, variableBindings: [VariableBinding(oid: loadOID)]))
        #expect(
            message.encoded()
                == hex(
                    "3028020101040670 75626c6963a01b02021234020100020100300f300d06092b0601040160817f010500"))
    }

    @Test func everyValueTypeRoundTrips() throws {
        let values: [SNMPValue] = [
            .integer(0), .integer(-1), .integer(127), .integer(128), .integer(Int32.max), .integer(Int32.min),
            .string("www.example.org=12,api.example.org=-3"), .octetString([]), .null,
            .objectIdentifier(OID("1.3.6.1.2.1.1.2.0")!), .ipAddress(192, 0, 2, 1), .counter32(0),
            .counter32(UInt32.max), .gauge32(0x80), .timeTicks(123_456), .opaque([1, 2]),
            .counter64(UInt64.max),
            .noSuchObject, .noSuchInstance, .endOfMibView,
        ]
        let pdu = PDU(
            kind: .response, requestID: -5, errorStatus: 0, errorIndex: 0,
            variableBindings: values.map { VariableBinding(oid: loadOID, value: $0) })
        let message = CommunityMessage(version: .v1, community: Array("c".utf8), pdu: pdu)
        #expect(try CommunityMessage(decoding: message.encoded()) == message)
    }

    @Test func oidsWithLargeArcsRoundTrip() throws {
        for text in ["0.0", "1.39", "2.40", "2.999.1", "1.3.6.1.4.1.4294967295", "1.3.6.1.4.1.96.255.1"] {
            let oid = try #require(OID(text))
            let message = CommunityMessage(
                version: .v2c, community: [],
                pdu: PDU(kind: .getRequest, requestID: 1, variableBindings: [VariableBinding(oid: oid)]))
            #expect(try CommunityMessage(decoding: message.encoded()).pdu.variableBindings[0].oid == oid)
        }
    }

    @Test func v3MessagesRoundTripInClearAndEncrypted() throws {
        let scoped = ScopedPDU(
            contextEngineID: hex("8000000001020304"),
            pdu: PDU(kind: .getRequest, requestID: 99, variableBindings: [VariableBinding(oid: loadOID)]))
        let security = USMSecurityParameters(
            engineID: hex("8000000001020304"), engineBoots: 3, engineTime: 1000,
            userName: Array("loadbalancing".utf8),
            authenticationParameters: [UInt8](repeating: 0, count: 12),
            privacyParameters: hex("0001020304050607"))
        for payload in [SNMPv3Message.Payload.plaintext(scoped), .encrypted([9, 8, 7])] {
            let message = SNMPv3Message(
                messageID: 42, flags: [.authenticated, .privacy, .reportable], security: security,
                payload: payload)
            #expect(try SNMPv3Message(decoding: message.encoded()) == message)
        }
        #expect(try ScopedPDU(decrypted: scoped.encoded() + [0, 0, 0]) == scoped)
    }

    @Test func malformedMessagesAreTypedErrors() {
        let valid = CommunityMessage(
            version: .v2c, community: Array("public".utf8),
            pdu: PDU(kind: .getRequest, requestID: 1, variableBindings: [VariableBinding(oid: loadOID)])
        ).encoded()
        #expect(throws: SNMPDecodingError.self) { try CommunityMessage(decoding: []) }
        #expect(throws: SNMPDecodingError.self) { try CommunityMessage(decoding: Array(valid.dropLast())) }
        #expect(throws: SNMPDecodingError.trailingBytes(count: 1)) {
            try CommunityMessage(decoding: valid + [0])
        }
        // Indefinite length and a five-octet length are refused.
        #expect(throws: SNMPDecodingError.badLength(offset: 0)) {
            try CommunityMessage(decoding: [0x30, 0x80, 0, 0])
        }
        #expect(throws: SNMPDecodingError.badLength(offset: 0)) {
            try CommunityMessage(decoding: [0x30, 0x85, 1, 0, 0, 0, 0])
        }
        // A length larger than the datagram is refused before anything is allocated.
        #expect(throws: SNMPDecodingError.badLength(offset: 0)) {
            try CommunityMessage(decoding: [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x02])
        }
        #expect(throws: SNMPDecodingError.unsupportedVersion(3)) {
            try CommunityMessage(decoding: hex("3003020103"))
        }
        var deep: [UInt8] = []
        for _ in 0..<40 { deep = [0x30, UInt8(deep.count)] + deep }
        #expect(throws: SNMPDecodingError.self) { try CommunityMessage(decoding: deep) }
    }

    @Test func randomAndMutatedDatagramsNeverCrash() {
        var random = SystemRandomNumberGenerator()
        let community = CommunityMessage(
            version: .v2c, community: Array("public".utf8),
            pdu: PDU(
                kind: .response, requestID: 1,
                variableBindings: [VariableBinding(oid: loadOID, value: .string("a.example.org=5"))])
        ).encoded()
        let v3 = SNMPv3Message(
            messageID: 1, flags: [.authenticated, .reportable],
            security: USMSecurityParameters(
                engineID: hex("8000000001020304"), engineBoots: 1, engineTime: 1, userName: Array("u".utf8),
                authenticationParameters: [UInt8](repeating: 0, count: 12)),
            payload: .plaintext(
                ScopedPDU(
                    contextEngineID: [],
                    pdu: PDU(kind: .report, requestID: 1, variableBindings: [VariableBinding(oid: loadOID)])))
        ).encoded()
        for round in 0..<20_000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int.random(in: 0..<80, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            case 1:
                bytes = community
            default:
                bytes = v3
            }
            if round % 3 != 0 {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(
                        in: 0...255, using: &random)
                }
                if Bool.random(using: &random) {
                    bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                }
            }
            _ = try? CommunityMessage(decoding: bytes)
            _ = try? SNMPv3Message(decoding: bytes)
            _ = try? SNMPv3Message.authenticationParametersRange(in: bytes)
        }
    }
}
