import LBCore
import LBTestSupport
import Testing

/// Every case of every public enum and error type of LBCore formats without calling itself.
@Suite struct FormattingTests {
    @Test func everyPublicEnumAndErrorCaseFormats() throws {
        let address = try #require(NodeAddress("2001:db8::1"))
        var values: [Any] = []
        values += PollFailure.formattingSamples as [Any]
        values += PollFailure.Security.allCases as [Any]
        values += [AddressReply.integer(3), .text("a=1"), .failure(.timeout(attempts: 2))].map { $0 as Any }
        values +=
            [
                MemberEvaluation.AddressOutcome.load(5), .notListed, .failure(.wrongType("Gauge32")),
            ].map { $0 as Any }
        values +=
            [
                MemberEvaluation.State.usable(load: 3), .unusableLoad(-7), .failed(.cancelled), .notListed,
                .unresolved(nil), .unresolved("no such host"),
            ].map { $0 as Any }
        values += [MemberDecision.Reason.chosen, .rankedOut, .pickedAtRandom, .unusable].map { $0 as Any }
        values +=
            [
                SelectionWarning.fewerUsableThanRequested(usable: 1, requested: 2),
                .bestHostsExceedsMembers(requested: 5, members: 2), .noUsableMembers(.keep),
                .nothingToPickAtRandom,
            ].map { $0 as Any }
        values += [AliasLoadList.Lookup.load(1), .notListed, .malformed("abc")].map { $0 as Any }
        values += [BestHosts.count(2), .allUsable].map { $0 as Any }
        values += NoUsableNodePolicy.allCases as [Any]
        values += [address, try #require(NodeAddress("127.0.0.1"))].map { $0 as Any }
        #expect(Formatting.unformatted(values).isEmpty)
    }

    @Test func everyPollFailureHasItsOwnCodeAndASentence() {
        let samples = PollFailure.formattingSamples.filter {
            if case .security = $0 { return false }
            return true
        }
        #expect(Set(samples.map(\.code)).count == samples.count)
        #expect(samples.allSatisfy { !$0.description.isEmpty && $0.description != $0.code })
    }
}

extension PollFailure {
    /// One value of every case, and every security failure. The switch does not compile when a
    /// case is added without a sample here.
    static var formattingSamples: [PollFailure] {
        let samples: [PollFailure] =
            [
                .timeout(attempts: 2), .malformed("truncated"), .wrongOID(".1.3.6"), .wrongType("Gauge32"),
                .noSuchObject, .noSuchInstance, .endOfMibView, .emptyVarbindList, .tooManyVarbinds(3),
                .agentError(status: "authorizationError", index: 0), .unexpectedReport(nil), .engineMismatch,
                .sendFailed("EPERM"), .cancelled, .malformedLoad("1e999"),
                .reported("authentication failure"),
            ] + Security.allCases.map { .security($0) }
        for sample in samples {
            switch sample {
            case .timeout, .malformed, .wrongOID, .wrongType, .noSuchObject, .noSuchInstance, .endOfMibView,
                .emptyVarbindList, .tooManyVarbinds, .agentError, .security, .unexpectedReport,
                .engineMismatch,
                .sendFailed, .cancelled, .malformedLoad, .reported:
                break
            }
        }
        return samples
    }
}
