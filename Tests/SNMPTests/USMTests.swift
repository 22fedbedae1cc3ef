import Testing

@testable import SNMP

/// RFC 3414 appendix A.3 vectors, the SP 800-38A AES-CFB vectors, and sign/verify round trips.
@Suite struct USMTests {
    let engineID = hex("000000000000000000000002")

    @Test func md5PasswordToKeyAndLocalisationMatchRFC3414() {
        let ku = USMKeys.passwordToKey("maplesyrup", protocol: .md5)
        #expect(ku == hex("9faf3283884e92834ebc9847d8edd963"))
        #expect(USMKeys.localize(ku, to: engineID, protocol: .md5) == hex("526f5eed9fcce26f8964c2930787d82b"))
    }

    @Test func sha1PasswordToKeyAndLocalisationMatchRFC3414() {
        let ku = USMKeys.passwordToKey("maplesyrup", protocol: .sha1)
        #expect(ku == hex("9fb5cc0381497b3793528939ff788d5d79145211"))
        #expect(
            USMKeys.localize(ku, to: engineID, protocol: .sha1)
                == hex("6695febc9288e36282235fc7151f128497b38f3f"))
    }

    @Test(arguments: AuthenticationProtocol.allCases)
    func keysHaveTheHashLength(auth: AuthenticationProtocol) {
        let expected = [AuthenticationProtocol.md5: 16, .sha1: 20, .sha256: 32, .sha384: 48, .sha512: 64][
            auth]
        let key = USMKeys.localize(
            USMKeys.passwordToKey("password1", protocol: auth), to: engineID, protocol: auth)
        #expect(key.count == expected)
    }

    @Test func aesCFBMatchesSP80038A() throws {
        // F.3.13 CFB128-AES128.Encrypt; the IV is boots || time || salt.
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c")
        let plaintext = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
        let ciphertext = try USMPrivacy.encrypt(
            plaintext, key: key, engineBoots: 0x0001_0203, engineTime: 0x0405_0607,
            salt: hex("08090a0b0c0d0e0f"))
        #expect(ciphertext == hex("3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"))
        let back = try USMPrivacy.decrypt(
            ciphertext, key: key, engineBoots: 0x0001_0203, engineTime: 0x0405_0607,
            salt: hex("08090a0b0c0d0e0f"))
        #expect(back == plaintext)
    }

    @Test func privacyRejectsABadSaltOrShortKey() {
        #expect(throws: USMPrivacy.Failure.badSalt) {
            try USMPrivacy.encrypt(
                [1], key: [UInt8](repeating: 1, count: 16), engineBoots: 0, engineTime: 0, salt: [1])
        }
        #expect(throws: USMPrivacy.Failure.shortKey) {
            try USMPrivacy.encrypt(
                [1], key: [1, 2], engineBoots: 0, engineTime: 0, salt: [UInt8](repeating: 0, count: 8))
        }
    }

    @Test(arguments: AuthenticationProtocol.allCases)
    func aSignedMessageVerifiesAndAnyChangeBreaksIt(auth: AuthenticationProtocol) throws {
        let key = USMKeys.localize(
            USMKeys.passwordToKey("password1", protocol: auth), to: engineID, protocol: auth)
        let message = SNMPv3Message(
            messageID: 7, flags: [.authenticated, .reportable],
            security: USMSecurityParameters(
                engineID: engineID, engineBoots: 1, engineTime: 2, userName: Array("user".utf8),
                authenticationParameters: [UInt8](repeating: 0, count: auth.digestLength)),
            payload: .plaintext(
                ScopedPDU(
                    contextEngineID: engineID,
                    pdu: PDU(
                        kind: .getRequest, requestID: 1,
                        variableBindings: [VariableBinding(oid: OID("1.3.6.1")!)]))))
        var bytes = message.encoded()
        try USMAuthentication.sign(&bytes, key: key, protocol: auth)
        #expect(USMAuthentication.verify(bytes, key: key, protocol: auth))
        let decoded = try SNMPv3Message(decoding: bytes)
        #expect(decoded.security.authenticationParameters.count == auth.digestLength)
        #expect(decoded.security.authenticationParameters != [UInt8](repeating: 0, count: auth.digestLength))
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var tampered = bytes
            tampered[index] ^= 0x01
            #expect(!USMAuthentication.verify(tampered, key: key, protocol: auth))
        }
        var wrongKey = key
        wrongKey[0] ^= 1
        #expect(!USMAuthentication.verify(bytes, key: wrongKey, protocol: auth))
    }
}

@Suite struct USMEmptyPasswordTests {
    @Test func anEmptyPasswordGivesNoKeysAndSealingFailsCleanly() {
        let user = USMUser(
            name: "u", authentication: .init(.md5, password: ""), privacy: .init(.aes128, password: ""))
        let keys = USMKeyCache().keys(for: user, engineID: [0x80, 0, 0, 0, 1])
        #expect(keys == LocalizedKeys())
        let sealed = USMCodec.seal(
            ScopedPDU(contextEngineID: [], pdu: PDU(kind: .getRequest, requestID: 1, variableBindings: [])),
            messageID: 1, reportable: true, user: user, keys: keys,
            engine: USMCodec.Engine(id: [0x80, 0, 0, 0, 1], boots: 1, time: 1), salt: 1)
        #expect(sealed == nil)
    }
}
