import LBLogging
import LBTestSupport
import Testing

/// Every case of LBLogging's public enums formats without calling itself.
@Suite struct FormattingTests {
    @Test func everyPublicEnumCaseFormats() {
        var values: [Any] = LogFormat.allCases.map { $0 as Any }
        values += [LogSink.Target.descriptor(2), .syslog].map { $0 as Any }
        #expect(Formatting.unformatted(values).isEmpty)
    }
}
