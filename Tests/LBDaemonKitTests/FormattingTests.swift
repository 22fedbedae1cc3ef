import DNS
import LBDaemonKit
import LBTestSupport
import Testing

/// Every case of every public enum and error type of LBDaemonKit formats without calling
/// itself.
@Suite struct FormattingTests {
    @Test func everyPublicEnumAndErrorCaseFormats() throws {
        let issue = ConfigurationIssue(severity: .error, file: "lbd.yaml", line: 3, column: 1, message: "m")
        var values: [Any] = []
        values += ConfigurationFormat.allCases.map { $0 as Any }
        values += HASettings.Mode.allCases.map { $0 as Any }
        values += [ConfigurationIssue.Severity.error, .warning].map { $0 as Any }
        values += [issue, ConfigurationError(issues: [issue]), ConfigurationMessage("m")].map { $0 as Any }
        values += PublishingFailure.Code.allCases.map { PublishingFailure($0, "m") as Any }
        values += [
            PublicationResult.Action.unchanged, .updated, .wouldUpdate,
            .failed(PublishingFailure(.timeout, "m")),
        ].map { $0 as Any }
        values += [
            ReloadRefusal.noAlias(served: 3), .noAliasInPartition(partition: "p", configured: 2, served: 1),
            .tooManyWithdrawn(withdrawn: 6, served: 10, maximumShare: 0.5),
        ].map { $0 as Any }
        values += [ReloadDecision.accept(withdrawn: ["a"]), .refuse(.noAlias(served: 1))].map { $0 as Any }
        values += [
            StateFileError.unreadable(path: "p", reason: "r"), .tooLarge(path: "p", size: 2, limit: 1),
            .malformed(path: "p", reason: "r"), .unsupportedVersion(path: "p", version: 9),
            .invalidContent(path: "p", reason: "r"), .unwritable(path: "p", reason: "r"),
        ].map { $0 as Any }
        values += [DaemonSignal.reload, .terminate].map { $0 as Any }
        values += [
            AliasZoneLayout.zonePerAlias, .sharedZone(try DomainName(parsing: "lb.example")),
        ].map { $0 as Any }
        values += [NodeAddressBook.Entry.addresses([]), .failure("no such host")].map { $0 as Any }
        #expect(Formatting.unformatted(values).isEmpty)
    }

    @Test func everyPublishingFailureCodeIsDistinct() {
        let codes = PublishingFailure.Code.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
    }
}
