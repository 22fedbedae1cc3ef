import LBCore
import Testing

@testable import SNMP

/// Random and mutated datagrams: the agent must drop or answer each one, never crash or hang,
/// and answer a valid request afterwards.
@Suite struct AgentFuzzTests {
    typealias Fixture = AgentFixture

    /// Well-formed datagrams of every kind the agent handles, to mutate.
    static func seeds(engineTime: Int32) -> [[UInt8]] {
        let get = PDU(
            kind: .getRequest, requestID: 1,
            variableBindings: [VariableBinding(oid: Fixture.loadOID), VariableBinding(oid: Fixture.textOID)])
        var bulk = PDU(
            kind: .getBulkRequest, requestID: 2, variableBindings: [VariableBinding(oid: Fixture.loadOID)])
        bulk.errorIndex = 20
        var seeds = [
            Fixture.v2cGet([Fixture.loadOID, Fixture.textOID]),
            Fixture.v2cGet([Fixture.loadOID], kind: .getNextRequest),
            CommunityMessage(version: .v2c, community: Array("public".utf8), pdu: bulk).encoded(),
            CommunityMessage(version: .v1, community: Array("public".utf8), pdu: get).encoded(),
            Fixture.discoveryRequest(),
        ]
        for user in Fixture.users {
            seeds.append(Fixture.v3Request(get, user: user, time: engineTime))
            seeds.append(Fixture.v3Request(bulk, user: user, time: engineTime))
        }
        return seeds
    }

    static func mutate(_ seed: [UInt8], using generator: inout SeededRandomNumberGenerator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<7, using: &generator) {
            case 0: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            case 1: bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 2: bytes.removeSubrange(position...)
            case 3:
                bytes.insert(
                    contentsOf: (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }, at: position)
            case 4:
                // A long-form length claiming far more than there is.
                bytes.replaceSubrange(
                    position..<min(position + 1, bytes.count), with: [0x84, 0x7F, 0xFF, 0xFF, 0xFF])
            case 5:
                bytes[position] =
                    [0x00, 0x7F, 0x80, 0xFF, 0x30, 0xA0, 0x04][Int.random(in: 0..<7, using: &generator)]
            default:
                bytes.removeSubrange(
                    position..<min(position + Int.random(in: 1...6, using: &generator), bytes.count))
            }
        }
        return bytes
    }

    /// 20,000 datagrams: a fifth random bytes, the rest mutations of valid messages.
    static func datagrams(count: Int, seed: UInt64, engineTime: Int32) -> [[UInt8]] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let seeds = seeds(engineTime: engineTime)
        return (0..<count).map { index in
            if index % 5 == 0 {
                let length = Int.random(in: 0...300, using: &generator)
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                // Half of them look like the start of an SNMP message.
                if index % 10 == 0, bytes.count > 4 { bytes.replaceSubrange(0..<2, with: [0x30, 0x82]) }
                return bytes
            }
            return mutate(seeds[Int.random(in: 0..<seeds.count, using: &generator)], using: &generator)
        }
    }

    @Test func everyFuzzedDatagramIsDroppedOrAnsweredWithoutSockets() async throws {
        let counters = AgentCounters()
        let responder = AgentResponder(
            configuration: Fixture.configuration(), keyCache: Fixture.keyCache, counters: counters)
        var table = AgentObjectTable()
        for (oid, provider) in Fixture.objects {
            table.register(oid, provider: provider)
        }
        var answered = 0
        for datagram in Self.datagrams(count: 20_000, seed: 0x5EED, engineTime: 100) {
            if let reply = await responder.reply(to: datagram, objects: table, engineTime: 100) {
                answered += 1
                #expect(reply.count <= AgentResponder.maximumDatagramSize)
            }
        }
        #expect(answered > 0)
        #expect(counters.snapshot.parseErrors > 10_000)
    }

    @Test func aRunningAgentSurvivesTwentyThousandFuzzedDatagrams() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        let datagrams = Self.datagrams(count: 20_000, seed: 0xF022, engineTime: agent.engineTime)
        for (index, datagram) in datagrams.enumerated() {
            socket.send(datagram, to: port)
            // Short pauses let the agent keep up, so that most datagrams are really handled.
            if index % 100 == 99 { try await Task.sleep(for: .milliseconds(5)) }
        }
        try await Task.sleep(for: .milliseconds(200))
        // Valid requests are still answered correctly; earlier answers may still be queued.
        let fresh = try TestUDPSocket()
        let answer = try #require(
            await fresh.exchange(Fixture.v2cGet([Fixture.loadOID], requestID: 0x7777), port: port, timeout: 3)
        )
        let pdu = try CommunityMessage(decoding: answer).pdu
        #expect(pdu.requestID == 0x7777)
        #expect(pdu.variableBindings == [VariableBinding(oid: Fixture.loadOID, value: .integer(42))])
        let statistics = agent.statistics
        // The kernel drops some when the machine is busy, but thousands must have reached the agent.
        #expect(statistics.datagramsReceived > 5_000)
        #expect(statistics.parseErrors > statistics.datagramsReceived / 2)
    }
}
