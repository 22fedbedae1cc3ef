import Testing

@testable import SNMP

@Suite struct OIDTests {
    @Test func parsesWithAndWithoutLeadingDot() {
        #expect(OID(".1.3.6.1.4.1.96.255.1")?.arcs == [1, 3, 6, 1, 4, 1, 96, 255, 1])
        #expect(OID("1.3.6")?.description == ".1.3.6")
    }
}
