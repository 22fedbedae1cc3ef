import DNS
import Testing

@testable import LBDaemonKit

@Suite struct AliasNamesTests {
    @Test func configuredAndLaterAliasesResolveToTheirNames() throws {
        let names = AliasNames(["www.example.org", "api.example.org."])
        #expect(try names.name(of: "www.example.org") == (try DomainName(parsing: "www.example.org.")))
        #expect(try names.name(of: "api.example.org.") == (try DomainName(parsing: "api.example.org.")))
        // An alias added by a reload is parsed at its first publication.
        #expect(try names.name(of: "new.example.org") == (try DomainName(parsing: "new.example.org.")))
    }

    @Test func anInvalidAliasIsAPublishingFailure() {
        let names = AliasNames(["bad..alias"])
        #expect(throws: PublishingFailure.self) { try names.name(of: "bad..alias") }
    }
}
