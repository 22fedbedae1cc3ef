import Testing

@testable import DNS

/// MACs computed independently of this library. The digest of RFC 8945 section 4.3.3 was
/// assembled by hand and hashed with Python:
///
///     msg = bytes.fromhex("123401000001000000000000" "03777777076578616d706c6503636f6d00" "00010001")
///     var = bytes.fromhex("036b6579076578616d706c6500" "00ff" "00000000"
///                         "0b686d61632d73686132353600" "00006553f100" "012c" "0000" "0000")
///     hmac.new(b"secret-key-for-tests", msg + var, hashlib.sha256).hexdigest()
///
/// and for hmac-md5 the same with the algorithm name `hmac-md5.sig-alg.reg.int.` and
/// `hashlib.md5`. The key name is given in upper case below: the digest uses its lower-case form.
@Suite struct TSIGKnownVectorTests {
    static let key = "c2VjcmV0LWtleS1mb3ItdGVzdHM="
    static let sha256MAC = "dc28d5603caa7cd819689e2a0aa13942a42fa0fc70c4d6530497416cfcb98acd"
    static let md5MAC = "2da2f6acfa2c543fa487c48018e40ddc"

    private func sign(_ algorithm: TSIGAlgorithm) throws -> (bytes: [UInt8], mac: [UInt8]) {
        let key = try #require(
            TSIGKey(name: name("KEY.Example."), algorithm: algorithm, base64Secret: Self.key))
        #expect(key.secret == Array("secret-key-for-tests".utf8))
        let signer = TSIGSigner(key: key, fudge: 300, clock: .fixed(1_700_000_000))
        return try signer.sign(wire: WireVectorTests.query)
    }

    @Test func theHMACSHA256MACMatchesPython() throws {
        let signed = try sign(.hmacSHA256)
        #expect(signed.mac == hexBytes(Self.sha256MAC))
        let tsigRecord =
            hexBytes(
                """
                03 4b4559 07 4578616d706c65 00  00fa 00ff 00000000 003d
                0b 686d61632d736861323536 00  00006553f100 012c 0020
                """) + hexBytes(Self.sha256MAC) + hexBytes("1234 0000 0000")
        #expect(signed.bytes == WireVectorTests.query.enumerated().map { $0 == 11 ? 1 : $1 } + tsigRecord)
    }

    @Test func theHMACMD5MACMatchesPython() throws {
        #expect(try sign(.hmacMD5).mac == hexBytes(Self.md5MAC))
    }

    @Test func base64SecretsDecode() {
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("Zg==") == Array("f".utf8))
        #expect(Base64.decode("Zm8=") == Array("fo".utf8))
        #expect(Base64.decode("Zm9v\n YmFy") == Array("foobar".utf8))
        #expect(Base64.decode("Zm9") == nil)
        #expect(Base64.decode("Zm9v!A==") == nil)
        #expect(Base64.decode("Z===") == nil)
        #expect(TSIGKey(name: name("k"), algorithm: .hmacSHA256, base64Secret: "not base64") == nil)
    }
}
