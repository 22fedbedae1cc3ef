import Testing

@testable import SNMP

@Suite struct AuthenticationProtocolTests {
    @Test(arguments: [
        ("MD5", AuthenticationProtocol.md5), ("md5", .md5), ("SHA", .sha1), ("sha", .sha1), ("SHA1", .sha1),
        ("SHA-1", .sha1), ("SHA-256", .sha256), ("SHA256", .sha256), ("sha-256", .sha256),
        ("SHA-384", .sha384),
        ("SHA384", .sha384), ("SHA-512", .sha512), ("sha512", .sha512),
    ])
    func acceptsNetSNMPSpellings(name: String, expected: AuthenticationProtocol) {
        #expect(AuthenticationProtocol(name: name) == expected)
    }

    @Test(arguments: ["", "MD4", "SHA-224", "SHA224", "SHA2", "DES", "AES", "none", "HMAC-MD5", "SHA 256"])
    func refusesUnsupportedNames(name: String) {
        #expect(AuthenticationProtocol(name: name) == nil)
    }

    @Test(arguments: [
        (AuthenticationProtocol.md5, 12), (.sha1, 12), (.sha256, 24), (.sha384, 32), (.sha512, 48),
    ])
    func digestLengthIsTheTruncatedHMACOfRFC3414And7860(protocol: AuthenticationProtocol, length: Int) {
        #expect(`protocol`.digestLength == length)
    }

    @Test func everyProtocolParsesFromItsRawValue() {
        for value in AuthenticationProtocol.allCases {
            #expect(AuthenticationProtocol(name: value.rawValue) == value)
            #expect(AuthenticationProtocol(name: value.rawValue.uppercased()) == value)
        }
    }
}

@Suite struct PrivacyProtocolTests {
    @Test(arguments: ["AES", "aes", "AES128", "AES-128", "aes-128"])
    func acceptsNetSNMPSpellingsOfAES128(name: String) {
        #expect(PrivacyProtocol(name: name) == .aes128)
    }

    @Test(arguments: ["", "DES", "3DES", "AES-192", "AES256", "AES-256", "AES 128", "NOPRIV"])
    func refusesUnsupportedNames(name: String) {
        #expect(PrivacyProtocol(name: name) == nil)
    }
}

@Suite struct SNMPVersionTests {
    @Test(arguments: [(SNMPVersion.v1, 0), (.v2c, 1), (.v3, 3)])
    func wireValueIsTheMessageVersionField(version: SNMPVersion, value: Int) {
        #expect(version.wireValue == value)
    }

    @Test func parsesFromItsName() {
        #expect(SNMPVersion(rawValue: "v2c") == .v2c)
        #expect(SNMPVersion(rawValue: "v3") == .v3)
        #expect(SNMPVersion(rawValue: "v2") == nil)
    }
}
