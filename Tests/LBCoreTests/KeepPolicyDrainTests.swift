import LBCore
import Testing

/// A `keep` policy leaves DNS as it is, but a drain is the operator's explicit wish: the drained
/// members leave the kept set, unless nothing would be left.
@Suite struct KeepPolicyDrainTests {
    private func report(_ node: String, _ address: String, _ load: Int) -> NodeReport {
        NodeReport(
            node: node, addresses: [AddressReport(address: NodeAddress(address)!, reply: .integer(load))])
    }

    private func drain(_ node: String) -> Drain {
        Drain(node: node, by: "alice", reason: "kernel upgrade", since: 0)
    }

    @Test(arguments: [
        AliasParameters(bestHosts: .count(2), whenNoneUsable: .keep),
        AliasParameters(
            bestHosts: .count(2), whenNoneUsable: .random, minUsable: .count(2), belowMinimum: .keep),
    ])
    func drainedMembersLeaveAKeptSet(parameters: AliasParameters) {
        var memory = SelectionMemory(published: [NodeAddress("192.0.2.1")!, NodeAddress("192.0.2.2")!])
        var random = SeededRandomNumberGenerator(seed: 1)
        let decision = Selection.decide(
            alias: "www.example", parameters: parameters,
            members: [
                report("a", "192.0.2.1", -1), report("b", "192.0.2.2", -1), report("c", "192.0.2.3", -1),
            ],
            memory: &memory, drains: ["b": drain("b")], using: &random)
        #expect(decision.publish?.map(\.description) == ["192.0.2.1"])
        #expect(decision.members[1].reason == .drained)
        #expect(memory.published == [NodeAddress("192.0.2.1")!])
    }

    @Test func aKeptSetOfDrainedMembersOnlyStaysWithAWarning() {
        var memory = SelectionMemory(published: [NodeAddress("192.0.2.2")!])
        var random = SeededRandomNumberGenerator(seed: 1)
        let decision = Selection.decide(
            alias: "www.example", parameters: AliasParameters(whenNoneUsable: .keep),
            members: [report("a", "192.0.2.1", -1), report("b", "192.0.2.2", 10)], memory: &memory,
            drains: ["b": drain("b")], using: &random)
        #expect(decision.publish == nil)
        #expect(decision.warnings.contains(.drainedMembersKept))
    }

    @Test func withoutADrainAKeptSetIsLeftAlone() {
        var memory = SelectionMemory(published: [NodeAddress("192.0.2.1")!])
        var random = SeededRandomNumberGenerator(seed: 1)
        let decision = Selection.decide(
            alias: "www.example", parameters: AliasParameters(whenNoneUsable: .keep),
            members: [report("a", "192.0.2.1", -1), report("b", "192.0.2.2", -1)], memory: &memory,
            using: &random)
        #expect(decision.publish == nil)
        #expect(!decision.warnings.contains(.drainedMembersKept))
    }
}
