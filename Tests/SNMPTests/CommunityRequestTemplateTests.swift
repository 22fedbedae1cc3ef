import Testing

@testable import SNMP

/// Batch requests written into one encoded template must be, octet for octet, what the encoder
/// makes of each.
@Suite struct CommunityRequestTemplateTests {
    private static func encode(_ id: Int32, community: String, version: SNMPVersion = .v2c) -> [UInt8] {
        CommunityMessage(
            version: version, community: Array(community.utf8),
            pdu: PDU(
                kind: .getRequest, requestID: id,
                variableBindings: [VariableBinding(oid: OID("1.3.6.1.4.1.96.255.1")!, value: .null)])
        ).encoded()
    }

    @Test(arguments: [
        ("public", SNMPVersion.v2c), ("public", .v1), ("", .v2c), (String(repeating: "c", count: 300), .v2c),
    ])
    func everyIdThatFitsGivesTheEncodersOwnRequest(community: String, version: SNMPVersion) throws {
        var template = try #require(
            CommunityRequestTemplate { Self.encode($0, community: community, version: version) })
        var random = SystemRandomNumberGenerator()
        let ids: [Int32] =
            [0x0100_0000, Int32.max, 0x0102_0304, 0x7F0E_0D0C]
            + (0..<2_000).map { _ in Int32.random(in: CommunityRequestTemplate.idsThatFit, using: &random) }
        for id in ids {
            #expect(template.request(id: id) == Self.encode(id, community: community, version: version))
        }
    }

    /// A community holding the very octets of the ids used to find the id's place.
    @Test func aCommunityThatLooksLikeAnIdDoesNotMisleadTheTemplate() throws {
        let community = String(
            decoding: [0x02, 0x04, 0x01, 0x02, 0x03, 0x04, 0x7F, 0x0E, 0x0D, 0x0C], as: UTF8.self)
        var template = try #require(CommunityRequestTemplate { Self.encode($0, community: community) })
        #expect(template.request(id: 0x1234_5678) == Self.encode(0x1234_5678, community: community))
    }

    @Test func onlyIdsOfFourOctetsFit() {
        #expect(CommunityRequestTemplate.fits(0x0100_0000))
        #expect(CommunityRequestTemplate.fits(Int32.max))
        #expect(!CommunityRequestTemplate.fits(0x00FF_FFFF))
        #expect(!CommunityRequestTemplate.fits(1))
        #expect(!CommunityRequestTemplate.fits(-1))
    }

    @Test func anEncodingWithoutOneFourOctetIdGivesNoTemplate() {
        // The length changes with the id.
        #expect(CommunityRequestTemplate { Array(repeating: 0, count: Int($0 & 0xF)) } == nil)
        // Nothing changes with the id.
        #expect(CommunityRequestTemplate { _ in [1, 2, 3, 4, 5] } == nil)
        // The id is written twice.
        #expect(
            CommunityRequestTemplate { id in
                let octets = withUnsafeBytes(of: id.bigEndian, Array.init)
                return octets + [0] + octets
            } == nil)
    }
}
