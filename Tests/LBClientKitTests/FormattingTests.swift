import LBClientKit
import LBTestSupport
import ProcessSpawning
import Testing

/// Every case of every public enum and error type of LBClientKit and ProcessSpawning formats
/// without calling itself.
@Suite struct FormattingTests {
    @Test func everyPublicEnumAndErrorCaseFormats() {
        var values: [Any] = []
        values += Keyword.allCases as [Any]
        values += ListeningSocket.Transport.allCases as [Any]
        values += ListeningSocket.Family.allCases as [Any]
        values += SnmpdConfSnippet.Mode.allCases as [Any]
        values += [LineOutcome.error("x"), .timedOut(.seconds(2)), .skipped].map { $0 as Any }
        values += [PassAnswer.integer(5), .perAlias([(alias: "a.example", load: 3)])].map { $0 as Any }
        values += [CommandResult.Termination.exited(1), .signalled(9)].map { $0 as Any }
        values +=
            [
                CommandError.launchFailed(executable: "/bin/x", errno: 2),
                .timedOut(executable: "/bin/x", after: .seconds(1)),
                .cancelled(executable: "/bin/x"),
            ].map { $0 as Any }
        values +=
            ([
                ExpressionValue.number(1.5), .string("s"), .bool(true), .array([.null]), .null,
            ])
        values +=
            [
                CheckError("m"), Problem("m"), ExpressionError("m", column: 3), LoadPostError("m"),
                DiscoveryError("m"),
                ClientConfigError(file: "f", line: 2, column: 1, message: "m"),
                ClientConfigErrors([ClientConfigError(file: "f", message: "m")]),
            ].map { $0 as Any }
        values +=
            ([
                PassPersistSession.Step.reply("x"), .answer(oid: ".1"), .readMore, .finish,
            ])
        values += [ProcessTermination.exited(0), .signalled(15), .unknown].map { $0 as Any }
        values +=
            [
                StandardStream.null, .inherited, .file("/tmp/x"), .appending("/tmp/x"), .descriptor(3),
            ].map { $0 as Any }
        values.append(SpawnError(executable: "/bin/none", errno: 2))
        #expect(Formatting.unformatted(values).isEmpty)
    }
}
