import Testing

@testable import LBClientKit

@Suite("Collectd metric source")
struct CollectdMetricSourceTests {
    @Test func references() throws {
        #expect(
            try CollectdReference("load/load-relative")
                == CollectdReference(identifier: "load/load-relative", selection: .first))
        #expect(
            try CollectdReference("h.cern.ch/irq/irq-15:2")
                == CollectdReference(identifier: "h.cern.ch/irq/irq-15", selection: .position(2)))
        #expect(
            try CollectdReference("a/b:rx") == CollectdReference(identifier: "a/b", selection: .name("rx")))
        // golbclient read `true` as index 1; it is a name here.
        #expect(
            try CollectdReference("a/b:true")
                == CollectdReference(identifier: "a/b", selection: .name("true")))
        let source = CollectdMetricSource()
        #expect(source.problem(with: "a/b:")?.hasPrefix("empty anchor") == true)
        #expect(source.problem(with: "a/b:0") != nil)
        #expect(source.problem(with: ":1") != nil)
        // golbclient passes a name without a slash to collectdctl as it is (COMPAT.md).
        #expect(source.problem(with: "a") == nil)
        #expect(try CollectdReference("test:out") == CollectdReference(identifier: "test", selection: .name("out")))
        #expect(source.problem(with: "a/\"b") != nil)
        #expect(source.problem(with: "a/b/c") == nil)
    }

    @Test func valuesInAnyNotation() throws {
        let values = try CollectdValue.parseList(
            "a=5\nb=1.5e+00\n\nc=-1\nd=nan\ne = -nan \nf=1E3\ng=inf\n", from: "test")
        #expect(values.map(\.name) == ["a", "b", "c", "d", "e", "f", "g"])
        #expect(values[0].value == 5)
        #expect(values[1].value == 1.5)
        #expect(values[2].value == -1)
        #expect(values[3].value.isNaN)
        #expect(values[4].value.isNaN)
        #expect(values[5].value == 1000)
        #expect(values[6].value == .infinity)
        #expect(throws: CheckError.self) { try CollectdValue.parseList("value", from: "test") }
        #expect(throws: CheckError.self) { try CollectdValue.parseList("=1", from: "test") }
        #expect(throws: CheckError.self) { try CollectdValue.parseList("a=x", from: "test") }
        #expect(throws: CheckError.self) { try CollectdValue.parseList("a=--1", from: "test") }
    }

    @Test func selection() throws {
        let values = [CollectdValue(name: "rx", value: 1), CollectdValue(name: "tx", value: 2)]
        #expect(try CollectdReference("a/b").select(from: values) == 1)
        #expect(try CollectdReference("a/b:2").select(from: values) == 2)
        #expect(try CollectdReference("a/b:tx").select(from: values) == 2)
        #expect(throws: CheckError.self) { try CollectdReference("a/b:3").select(from: values) }
        #expect(throws: CheckError.self) { try CollectdReference("a/b:zz").select(from: values) }
        #expect(throws: CheckError.self) { try CollectdReference("a/b").select(from: []) }
    }

    @Test func hostNameIsAddedToShortIdentifiers() {
        #expect(CollectdSocketClient.fullIdentifier("load/load", hostName: "n1") == "n1/load/load")
        #expect(CollectdSocketClient.fullIdentifier("h/load/load", hostName: "n1") == "h/load/load")
    }
}
