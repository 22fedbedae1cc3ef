import LBCore
import Testing

@testable import LBDaemonKit

/// What lbd sends to HAProxy for a decision (issue 15): states, weights, added and deleted
/// servers, computed without HAProxy.
@Suite struct HAProxyPlanTests {
    static let settings = HAProxySettings(
        socket: .unix(path: "/run/a.sock"), backend: "web", weights: HAProxyWeightMapping(maximum: 200),
        serverPort: 8080)

    /// A decision over members `n1`... answering the loads given (nil: silent), `best` chosen.
    static func decision(_ loads: [Int?], best: Int) -> Decision {
        var random = SeededRandomNumberGenerator(seed: 1)
        let reports = loads.enumerated().map { index, load in
            NodeReport(
                node: "n\(index + 1).example.org",
                addresses: [
                    AddressReport(
                        address: NodeAddress("127.0.0.\(index + 2)")!,
                        reply: load.map { .integer($0) } ?? .failure(.timeout(attempts: 1)))
                ])
        }
        return Selection.decide(
            alias: "web.lb.example.org", parameters: AliasParameters(bestHosts: .count(best)),
            members: reports,
            using: &random)
    }

    static func server(_ name: String, _ address: String, admin: Int = 0, weight: Int = 1)
        -> HAProxyServerState
    {
        HAProxyServerState(
            name: name, address: address, port: 8080, operationalState: 2, adminState: admin, weight: weight)
    }

    @Test func inverseWeightsFollowOneOverTheLoad() {
        let mapping = HAProxyWeightMapping(minimum: 1, maximum: 200)
        #expect(mapping.weight(load: 10, lowest: 10, highest: 40) == 200)
        #expect(mapping.weight(load: 20, lowest: 10, highest: 40) == 100)
        #expect(mapping.weight(load: 40, lowest: 10, highest: 40) == 50)
        #expect(mapping.weight(load: 99_999, lowest: 10, highest: 99_999) == 1)
        #expect(mapping.weight(load: nil, lowest: 0, highest: 0) == 200)
    }

    @Test func linearWeightsRunFromMaximumToMinimum() {
        let mapping = HAProxyWeightMapping(minimum: 10, maximum: 110, curve: .linear)
        #expect(mapping.weight(load: 10, lowest: 10, highest: 50) == 110)
        #expect(mapping.weight(load: 30, lowest: 10, highest: 50) == 60)
        #expect(mapping.weight(load: 50, lowest: 10, highest: 50) == 10)
        #expect(mapping.weight(load: 7, lowest: 7, highest: 7) == 110)
    }

    @Test func missingServersAreAddedInTheirState() {
        let plan = HAProxyPlan(
            decision: Self.decision([10, 20, 30, nil], best: 2), settings: Self.settings, current: [])
        #expect(
            plan.commands.map(\.text) == [
                "add server web/lbd-n1.example.org 127.0.0.2:8080 weight 200",
                "set server web/lbd-n1.example.org state ready",
                "add server web/lbd-n2.example.org 127.0.0.3:8080 weight 100",
                "set server web/lbd-n2.example.org state ready",
                "add server web/lbd-n3.example.org 127.0.0.4:8080 weight 1",
                "set server web/lbd-n3.example.org state drain",
                "add server web/lbd-n4.example.org 127.0.0.5:8080 weight 1",
            ])
    }

    @Test func onlyDifferencesAreSentAndForeignServersAreLeftAlone() {
        let current = [
            Self.server("lbd-n1.example.org", "127.0.0.2", weight: 200),
            Self.server("lbd-n2.example.org", "127.0.0.3", admin: 1, weight: 5),
            Self.server("lbd-n3.example.org", "127.0.0.4", admin: 8),
            Self.server("lbd-n4.example.org", "127.0.0.5", admin: 0),
            Self.server("lbd-gone.example.org", "127.0.0.9"),
            Self.server("static1", "127.0.0.1"),
        ]
        let plan = HAProxyPlan(
            decision: Self.decision([10, 20, 30, nil], best: 2), settings: Self.settings, current: current)
        #expect(
            plan.commands.map(\.text) == [
                "set server web/lbd-n2.example.org state ready",
                "set server web/lbd-n2.example.org weight 100",
                "set server web/lbd-n4.example.org state maint",
                "set server web/lbd-gone.example.org state maint",
                "del server web/lbd-gone.example.org",
            ])
        let again = HAProxyPlan(
            decision: Self.decision([10, 20, 30, nil], best: 2), settings: Self.settings,
            current: [
                Self.server("lbd-n1.example.org", "127.0.0.2", weight: 200),
                Self.server("lbd-n2.example.org", "127.0.0.3", weight: 100),
                Self.server("lbd-n3.example.org", "127.0.0.4", admin: 8),
                Self.server("lbd-n4.example.org", "127.0.0.5", admin: 1), Self.server("static1", "127.0.0.1"),
            ])
        #expect(again.commands.isEmpty)
    }

    @Test func aReloadSendsEveryStateAgain() {
        let current = [Self.server("lbd-n1.example.org", "127.0.0.2", weight: 200)]
        let plan = HAProxyPlan(
            decision: Self.decision([10], best: 1), settings: Self.settings, current: current, reapply: true)
        #expect(
            plan.commands.map(\.text) == [
                "set server web/lbd-n1.example.org addr 127.0.0.2 port 8080",
                "set server web/lbd-n1.example.org state ready",
                "set server web/lbd-n1.example.org weight 200",
            ])
    }

    @Test func serverNamesKeepOnlyCharactersHAProxyAccepts() {
        #expect(
            HAProxyServerName.make(prefix: "lbd-", member: "node1.example.org") == "lbd-node1.example.org")
        #expect(HAProxyServerName.make(prefix: "lbd-", member: "a b/c") == "lbd-a_b_c")
        #expect(HAProxyServerName.make(prefix: "", member: String(repeating: "x", count: 300)).count == 100)
        #expect(!HAProxyServerName.isValid("we b") && HAProxyServerName.isValid("web_1.x:y-z"))
    }
}
