import Testing

@testable import LBCore

@Suite struct AliasParametersTests {
    @Test(arguments: [(0, 60), (-5, 60), (1, 60), (59, 60), (60, 60), (61, 61), (300, 300), (86_400, 86_400)])
    func effectiveTTLIsNeverBelowSixtySeconds(ttl: Int, effective: Int) {
        #expect(AliasParameters(ttl: ttl).effectiveTTL == effective)
    }

    @Test func defaultsNeverPublishZeroHosts() {
        let parameters = AliasParameters()
        #expect(parameters.bestHosts == .count(1))
        #expect(parameters.whenNoneUsable == .keep)
        #expect(parameters.pollingInterval == 300)
        #expect(parameters.ttl == 60)
        #expect(parameters.external == false)
        #expect(AliasParameters.minimumTTL == 60)
    }
}

@Suite struct BestHostsTests {
    @Test func minusOneMeansAllUsable() {
        #expect(BestHosts(golbdValue: -1) == .allUsable)
        #expect(BestHosts.allUsable.golbdValue == -1)
    }

    @Test(arguments: [1, 2, 10, 1_000])
    func positiveValuesAreCounts(value: Int) {
        #expect(BestHosts(golbdValue: value) == .count(value))
        #expect(BestHosts(golbdValue: value)?.golbdValue == value)
    }

    @Test(arguments: [0, -2, -100, Int.min])
    func zeroAndOtherNegativesAreRejected(value: Int) {
        // golbd published zero hosts for these; we refuse them instead.
        #expect(BestHosts(golbdValue: value) == nil)
    }

    @Test func describesItself() {
        #expect(BestHosts.count(3).description == "3")
        #expect(BestHosts.allUsable.description == "all usable")
    }
}

@Suite struct NoUsableNodePolicyTests {
    @Test(arguments: [
        ("minimum", NoUsableNodePolicy.random), ("minino", .empty), ("cmsfrontier", .keep),
    ])
    func golbdMetricsMapOntoPolicies(metric: String, policy: NoUsableNodePolicy) {
        #expect(NoUsableNodePolicy(golbdMetric: metric) == policy)
        #expect(policy.golbdMetric == metric)
    }

    @Test(arguments: ["", "cmsweb", "Minimum", "MININO", " minino", "minino ", "random", "keep"])
    func otherMetricNamesAreRejected(metric: String) {
        #expect(NoUsableNodePolicy(golbdMetric: metric) == nil)
    }

    @Test func everyPolicyRoundTripsThroughItsMetricName() {
        for policy in NoUsableNodePolicy.allCases {
            #expect(NoUsableNodePolicy(golbdMetric: policy.golbdMetric) == policy)
        }
        #expect(Set(NoUsableNodePolicy.allCases.map(\.golbdMetric)).count == 3)
    }
}

@Suite struct LoadReportOIDTests {
    @Test func isGolbdsOIDWithoutAnInstanceSuffix() {
        #expect(loadReportOID == ".1.3.6.1.4.1.96.255.1")
    }
}
