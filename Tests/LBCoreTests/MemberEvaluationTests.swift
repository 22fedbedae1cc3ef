import Testing

@testable import LBCore

@Suite struct MemberEvaluationTests {
    private let alias = "www.example.org"

    private func evaluate(_ replies: [(String, AddressReply)], alias: String? = nil) -> MemberEvaluation {
        MemberEvaluation(report: report("node1.example.org", replies), alias: alias ?? self.alias)
    }

    @Test func anIntegerReplyIsTheLoadForEveryAlias() {
        let node = report("n", [("10.0.0.1", .integer(42))])
        for alias in ["a.example.org", "b.example.org"] {
            let evaluation = MemberEvaluation(report: node, alias: alias)
            #expect(evaluation.state == .usable(load: 42))
            #expect(evaluation.load == 42)
            #expect(evaluation.usableAddresses == [ip("10.0.0.1")])
        }
    }

    @Test func keepsTheNodeNameAndEveryAddressInResolverOrder() {
        let evaluation = evaluate([
            ("2001:db8::1", .silent), ("10.0.0.1", .integer(5)),
            ("10.0.0.0", .failure(.security(.unknownUserName))),
        ])
        #expect(evaluation.node == "node1.example.org")
        #expect(evaluation.addresses.map(\.address) == [ip("2001:db8::1"), ip("10.0.0.1"), ip("10.0.0.0")])
        #expect(
            evaluation.addresses.map(\.outcome) == [
                .failure(.timeout(attempts: 2)), .load(5), .failure(.security(.unknownUserName)),
            ])
    }

    @Test func theLoadIsTheLowestUsableLoadAmongTheAddresses() {
        let evaluation = evaluate([("10.0.0.1", .integer(70)), ("2001:db8::1", .integer(30))])
        #expect(evaluation.state == .usable(load: 30))
        #expect(evaluation.usableAddresses == [ip("10.0.0.1"), ip("2001:db8::1")])
    }

    @Test(arguments: [[0, 5], [5, 0], [-1, 5], [5, -1], [100_000, 5], [5, 100_000]])
    func anUnusableAddressNeverHidesAUsableOne(loads: [Int]) {
        let addresses = ["10.0.0.1", "2001:db8::1"]
        let evaluation = evaluate(zip(addresses, loads).map { ($0, .integer($1)) })
        #expect(evaluation.state == .usable(load: 5))
        #expect(evaluation.load == 5)
        #expect(evaluation.usableAddresses == [ip(addresses[loads.firstIndex(of: 5)!])])
    }

    @Test func aDualStackNodeAnsweringOverIPv4OnlyPublishesItsIPv4AddressOnly() {
        let evaluation = evaluate([("2001:db8::7", .silent), ("192.0.2.7", .integer(12))])
        #expect(evaluation.state == .usable(load: 12))
        #expect(evaluation.usableAddresses == [ip("192.0.2.7")])
        #expect(evaluation.addresses.count == 2)
    }

    @Test func aDualStackNodeAnsweringOverIPv6OnlyPublishesItsIPv6AddressOnly() {
        let evaluation = evaluate([("192.0.2.7", .silent), ("2001:db8::7", .integer(12))])
        #expect(evaluation.state == .usable(load: 12))
        #expect(evaluation.usableAddresses == [ip("2001:db8::7")])
    }

    @Test func anErrorOnOneAddressAndALoadOnTheOtherGivesTheLoad() {
        let evaluation = evaluate([
            ("10.0.0.1", .failure(.security(.wrongDigest))), ("10.0.0.2", .integer(5)),
        ])
        #expect(evaluation.state == .usable(load: 5))
        #expect(evaluation.usableAddresses == [ip("10.0.0.2")])
    }

    @Test func usableAddressesAreThoseThatAnsweredUsablyEvenWithDifferentLoads() {
        let evaluation = evaluate([
            ("10.0.0.1", .integer(9)), ("10.0.0.2", .integer(-7)), ("10.0.0.3", .integer(3)),
            ("10.0.0.4", .silent),
        ])
        #expect(evaluation.state == .usable(load: 3))
        #expect(evaluation.usableAddresses == [ip("10.0.0.1"), ip("10.0.0.3")])
    }

    @Test func aPerAliasReplyGivesEachAliasItsOwnLoad() {
        let replies: [(String, AddressReply)] = [("10.0.0.1", .text("a.example.org=5,b.example.org=-3"))]
        let forA = evaluate(replies, alias: "a.example.org")
        let forB = evaluate(replies, alias: "b.example.org")
        let forC = evaluate(replies, alias: "c.example.org")
        #expect(forA.state == .usable(load: 5))
        #expect(forA.usableAddresses == [ip("10.0.0.1")])
        #expect(forB.state == .unusableLoad(-3))
        #expect(forB.usableAddresses.isEmpty)
        #expect(forC.state == .notListed)
        #expect(forC.addresses.map(\.outcome) == [.notListed])
    }

    @Test func aPerAliasReplyMatchesTheAliasExactly() {
        let evaluation = evaluate([("10.0.0.1", .text("xwww.example.org=5"))])
        #expect(evaluation.state == .notListed)
        #expect(evaluation.load == nil)
    }

    @Test func aMalformedPerAliasValueIsAFailureNamingTheValue() {
        let evaluation = evaluate([("10.0.0.1", .text("www.example.org=high"))])
        #expect(evaluation.addresses.map(\.outcome) == [.failure(.malformedLoad("high"))])
        #expect(evaluation.state == .failed(.malformedLoad("high")))
        #expect(evaluation.state.failure?.description.contains("high") == true)
        #expect(evaluation.load == nil)
    }

    @Test func anUnusableLoadExplainsTheNodeBeforeAnyOtherCause() {
        let replies: [AddressReply] = [
            .silent, .failure(.security(.unknownUserName)), .text("other=5"), .integer(-14),
        ]
        for order in permutations(of: Array(replies.indices)) {
            let evaluation = evaluate(order.map { ("10.0.0.\($0 + 1)", replies[$0]) })
            #expect(evaluation.state == .unusableLoad(-14), "order \(order)")
            #expect(evaluation.load == -14)
            #expect(evaluation.usableAddresses.isEmpty)
        }
    }

    @Test func aFailureExplainsTheNodeBeforeNotListedAndSilence() {
        let replies: [AddressReply] = [.silent, .failure(.security(.wrongDigest)), .text("other=5")]
        for order in permutations(of: Array(replies.indices)) {
            let evaluation = evaluate(order.map { ("10.0.0.\($0 + 1)", replies[$0]) })
            #expect(evaluation.state == .failed(.security(.wrongDigest)), "order \(order)")
            #expect(evaluation.load == nil)
        }
    }

    @Test func notListedExplainsTheNodeBeforeSilence() {
        #expect(evaluate([("10.0.0.1", .silent), ("10.0.0.2", .text("other=5"))]).state == .notListed)
        #expect(evaluate([("10.0.0.1", .text("other=5")), ("10.0.0.2", .silent)]).state == .notListed)
    }

    @Test func silenceOnEveryAddressIsNoAnswer() {
        let evaluation = evaluate([("10.0.0.1", .silent), ("2001:db8::1", .silent)])
        #expect(evaluation.state == .failed(.timeout(attempts: 2)))
        #expect(evaluation.load == nil)
        #expect(evaluation.usableAddresses.isEmpty)
        #expect(!evaluation.state.isUsable)
    }

    @Test func theFirstFailureMessageIsKept() {
        let evaluation = evaluate([
            ("10.0.0.1", .failure(.agentError(status: "genErr", index: 1))),
            ("10.0.0.2", .failure(.security(.wrongDigest))),
        ])
        #expect(evaluation.state == .failed(.agentError(status: "genErr", index: 1)))
    }

    @Test func aNodeWithoutAddressesIsUnresolved() {
        let failed = MemberEvaluation(
            report: report("gone.example.org", [], resolutionFailure: "no such host"), alias: alias)
        #expect(failed.state == .unresolved("no such host"))
        #expect(failed.usableAddresses.isEmpty)
        #expect(failed.addresses.isEmpty)
        #expect(failed.load == nil)
        #expect(!failed.state.isUsable)

        let silent = MemberEvaluation(report: report("gone.example.org", []), alias: alias)
        #expect(silent.state == .unresolved(nil))
    }

    @Test(arguments: [
        (1, true), (2, true), (99_999, true), (0, false), (100_000, false), (100_001, false), (-1, false),
        (-14, false), (-200, false), (Int.max, false), (Int.min, false),
    ])
    func usabilityFollowsTheLoadRange(load: Int, usable: Bool) {
        let evaluation = evaluate([("10.0.0.1", .integer(load))])
        #expect(evaluation.state.isUsable == usable)
        #expect(evaluation.state == (usable ? .usable(load: load) : .unusableLoad(load)))
        #expect(evaluation.load == load)
        #expect(evaluation.usableAddresses == (usable ? [ip("10.0.0.1")] : []))
    }

    @Test func loadBoundariesAlsoApplyToPerAliasReplies() {
        let text = AddressReply.text("a=0,b=1,c=99999,d=100000,e=-15")
        let states = ["a", "b", "c", "d", "e"].map { evaluate([("10.0.0.1", text)], alias: $0).state }
        #expect(
            states == [
                .unusableLoad(0), .usable(load: 1), .usable(load: 99_999), .unusableLoad(100_000),
                .unusableLoad(-15),
            ])
    }

    @Test func loadIsUsableOnlyBetween1And99999() {
        #expect(Load.usableRange == 1...99_999)
        #expect(!Load.isUsable(0))
        #expect(Load.isUsable(1))
        #expect(Load.isUsable(99_999))
        #expect(!Load.isUsable(100_000))
        #expect(!Load.isUsable(-1))
    }
}

/// Every ordering of `elements` (small inputs only).
func permutations<T>(of elements: [T]) -> [[T]] {
    guard elements.count > 1 else { return [elements] }
    return elements.indices.flatMap { index in
        var rest = elements
        let first = rest.remove(at: index)
        return permutations(of: rest).map { [first] + $0 }
    }
}
