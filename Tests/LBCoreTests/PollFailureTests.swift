import Testing

@testable import LBCore

@Suite struct PollFailureTests {
    /// One value of every case, every security failure included.
    static let samples: [PollFailure] =
        [
            .timeout(attempts: 1), .timeout(attempts: 3), .malformed("truncated"), .wrongOID("1.3.6.1"),
            .wrongType("Gauge32"), .noSuchObject, .noSuchInstance, .endOfMibView, .emptyVarbindList,
            .tooManyVarbinds(2), .agentError(status: "authorizationError", index: 0), .unexpectedReport(nil),
            .unexpectedReport("1.3.6.1.6.3.15.1.1.9.0"), .engineMismatch, .sendFailed("x"), .cancelled,
            .malformedLoad("abc"), .reported("text"),
        ] + PollFailure.Security.allCases.map { .security($0) }

    @Test func everyFailureHasACodeAndASentence() {
        for failure in Self.samples {
            #expect(!failure.code.isEmpty)
            #expect(failure.code.allSatisfy { $0.isLowercase || $0 == "_" }, "\(failure.code)")
            #expect(!failure.description.isEmpty)
        }
    }

    @Test func codesTellTheKindsApart() {
        var codes: [String: PollFailure] = [:]
        for failure in Self.samples {
            if let other = codes[failure.code] {
                // Only two values of one case share a code.
                #expect(String(describing: other).prefix(8) == String(describing: failure).prefix(8))
            }
            codes[failure.code] = failure
        }
        #expect(codes.count == 22)
    }

    @Test func theSentencesSayWhatAnOperatorLooksFor() {
        #expect(PollFailure.timeout(attempts: 2).description == "no answer (timeout after 2 attempts)")
        #expect(PollFailure.timeout(attempts: 1).description == "no answer (timeout after 1 attempt)")
        #expect(
            PollFailure.security(.wrongDigest).description.hasPrefix("wrong digest (usmStatsWrongDigests)"))
        #expect(
            PollFailure.agentError(status: "authorizationError", index: 0).description
                == "agent error authorizationError (error-index 0)")
        #expect(PollFailure.wrongType("Gauge32").description.hasPrefix("wrong type Gauge32"))
    }

    @Test func onlyATimeoutIsSilence() {
        for failure in Self.samples {
            #expect(failure.isSilence == (failure.code == "timeout"))
        }
    }

    @Test func valuesANodeSentAreCutAndCannotForgeALine() {
        let hostile = "abc\ninjected line\u{1B}[31m" + String(repeating: "x", count: 60_000)
        let text = PollFailure.malformedLoad(hostile).description
        #expect(!text.contains("\n") && !text.contains("\u{1B}"))
        #expect(text.count < 100)
    }
}
