import Testing

@testable import DNS

@Suite struct TSIGAlgorithmTests {
    @Test(arguments: [
        (TSIGAlgorithm.hmacMD5, "hmac-md5.sig-alg.reg.int."), (.hmacSHA1, "hmac-sha1."),
        (.hmacSHA256, "hmac-sha256."), (.hmacSHA384, "hmac-sha384."), (.hmacSHA512, "hmac-sha512."),
    ])
    func wireNamesAreThoseOfRFC8945(algorithm: TSIGAlgorithm, wireName: String) {
        #expect(algorithm.wireName == wireName)
    }

    @Test(arguments: [
        ("hmac-md5", TSIGAlgorithm.hmacMD5), ("HMAC-MD5", .hmacMD5), ("hmac-md5.sig-alg.reg.int.", .hmacMD5),
        ("HMAC-MD5.SIG-ALG.REG.INT.", .hmacMD5), ("hmac-md5.sig-alg.reg.int", .hmacMD5),
        ("hmac-sha1", .hmacSHA1), ("hmac-sha256", .hmacSHA256), ("HMAC-SHA256", .hmacSHA256),
        ("hmac-sha256.", .hmacSHA256), ("hmac-sha384", .hmacSHA384), ("hmac-sha512.", .hmacSHA512),
    ])
    func parsesConfigurationAndWireSpellings(name: String, algorithm: TSIGAlgorithm) {
        #expect(TSIGAlgorithm(name: name) == algorithm)
    }

    @Test(arguments: [
        "", "md5", "sha256", "hmac-sha224", "hmac-md5.", "hmac-md5.sig-alg", "hmac-sha256..",
        " hmac-sha256", "gss-tsig", ".",
    ])
    func refusesOtherNames(name: String) {
        #expect(TSIGAlgorithm(name: name) == nil)
    }

    @Test func everyAlgorithmParsesFromBothItsNames() {
        for algorithm in TSIGAlgorithm.allCases {
            #expect(TSIGAlgorithm(name: algorithm.rawValue) == algorithm)
            #expect(TSIGAlgorithm(name: algorithm.wireName) == algorithm)
            #expect(algorithm.wireName.hasSuffix("."))
        }
    }
}
