import NIOCore
import Synchronization
import Testing

@testable import SNMP

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's own UDP thread (recvmmsg, sendmmsg) against its NIO event loop: the same octets
/// back for every datagram, the same refusals and counters, and a clean stop.
@Suite struct AgentUDPThreadTests {
    typealias Fixture = AgentFixture

    /// Collects the refusals an agent reports.
    final class Refusals: Sendable {
        private let state = Mutex<[SNMPAgentRefusal.Reason]>([])
        var all: [SNMPAgentRefusal.Reason] { state.withLock { $0 } }
        func record(_ refusal: SNMPAgentRefusal) { state.withLock { $0.append(refusal.reason) } }
    }

    /// An agent on 127.0.0.1 whose every answer is determined by its input: fixed salt, fixed
    /// clock (engine time 0), the load OID answered at once as a cache hit would be.
    private static func agent(
        thread: Bool, access: SNMPAgentAccess? = nil,
        immediate: @escaping @Sendable () -> SNMPValue? = { .integer(42) },
        provider: @escaping SNMPAgent.ValueProvider = { .integer(42) }
    ) async throws -> (SNMPAgent, Int) {
        var configuration = Fixture.configuration(random: { 0x0102_0304_0506_0708 })
        let instant = ContinuousClock.now
        configuration.now = { instant }
        configuration.datagramThread = thread
        configuration.access = access
        var objects = Fixture.objects
        objects[Fixture.loadOID] = nil
        let (agent, port) = try await Fixture.startAgent(configuration: configuration, objects: objects)
        agent.register(Fixture.loadOID, immediate: immediate, provider: provider)
        return (agent, port)
    }

    /// Requests of every kind, well-formed and not.
    private static func requests() -> [[UInt8]] {
        let load = VariableBinding(oid: Fixture.loadOID)
        var requests: [[UInt8]] = [
            Fixture.v2cGet([Fixture.loadOID], requestID: 1),
            Fixture.v2cGet([Fixture.loadOID], requestID: 0x7FFF_FFFF),
            Fixture.v2cGet([Fixture.loadOID], requestID: -129),
            Fixture.v2cGet([Fixture.loadOID, Fixture.textOID, Fixture.counterOID], requestID: 2),
            Fixture.v2cGet([OID(".1.3.6.1.4.1.96.255.1.0")!], requestID: 3),
            Fixture.v2cGet([OID(".1.3.6.1.2.1.1.1.0")!], requestID: 4),
            Fixture.v2cGet([Fixture.loadOID], requestID: 5, kind: .getNextRequest),
            Fixture.v2cGet([Fixture.loadOID], requestID: 6, kind: .setRequest),
            Fixture.v2cGet([Fixture.loadOID], community: "wrong", requestID: 7),
            CommunityMessage(
                version: .v1, community: Array("public".utf8),
                pdu: PDU(
                    kind: .getRequest, requestID: 8,
                    variableBindings: [load, VariableBinding(oid: Fixture.counterOID)])
            ).encoded(),
            CommunityMessage(
                version: .v2c, community: Array("public".utf8),
                pdu: PDU(
                    kind: .getBulkRequest, requestID: 9, errorStatus: 0, errorIndex: 3,
                    variableBindings: [load])
            ).encoded(),
            Fixture.discoveryRequest(),
        ]
        for user in Fixture.users {
            requests.append(
                Fixture.v3Request(PDU(kind: .getRequest, requestID: 10, variableBindings: [load]), user: user)
            )
            requests.append(
                Fixture.v3Request(
                    PDU(kind: .getNextRequest, requestID: 11, variableBindings: [load]), user: user))
        }
        // Out of the time window, another engine, a wrong password: Reports or nothing.
        requests.append(
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 12, variableBindings: [load]), user: Fixture.sha256User,
                time: 1000))
        requests.append(
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 13, variableBindings: [load]), user: Fixture.sha256User,
                engineID: [0x80, 0, 0, 0x60, 5, 9, 9, 9, 9, 9]))
        var wrong = Fixture.sha256User
        wrong.authentication?.password = "not-the-password"
        requests.append(
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 14, variableBindings: [load]), user: Fixture.sha256User,
                keyUser: wrong))
        let unknown = USMUser(
            name: "nobody", authentication: .init(.sha256, password: "nobody-password"),
            privacy: .init(.aes128, password: "nobody-password"))
        requests.append(
            Fixture.v3Request(PDU(kind: .getRequest, requestID: 15, variableBindings: [load]), user: unknown))
        // Garbage: truncations of a valid request, and random octets.
        let valid = Fixture.v2cGet([Fixture.loadOID], requestID: 16)
        for length in stride(from: 0, to: valid.count, by: 5) { requests.append(Array(valid.prefix(length))) }
        var generator = SplitMix(seed: 17)
        for _ in 0..<40 {
            let count = Int(generator.next() % 200)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if !bytes.isEmpty, generator.next() % 2 == 0 { bytes[0] = 0x30 }
            requests.append(bytes)
        }
        return requests
    }

    /// Sends every request to each agent, one at a time, and returns their answers. Each request
    /// is followed by a GET of the load OID whose answer marks the end of the request's, so that
    /// a request without an answer costs no long timeout. An answer from a task may come after
    /// the marker's: when one agent answered a request and another has not yet, the latter is
    /// given time to (a debug build on a busy machine can take a while), rather than being
    /// recorded as silent.
    private static func answers(_ requests: [[UInt8]], ports: [Int]) async throws -> [[[UInt8]?]] {
        let clients = try ports.map { _ in try TestUDPSocket() }
        var all = [[[UInt8]?]](repeating: [], count: ports.count)
        for (index, request) in requests.enumerated() {
            var answers: [[UInt8]?] = []
            for (client, port) in zip(clients, ports) {
                let marker = 1_000_000 + Int32(index)
                client.send(request, to: port)
                client.send(Fixture.v2cGet([Fixture.loadOID], requestID: marker), to: port)
                var answer: [UInt8]?
                var marked = false
                while let datagram = try await client.receive(timeout: 10) {
                    if (try? CommunityMessage(decoding: datagram))?.pdu.requestID == marker {
                        marked = true
                        break
                    }
                    answer = datagram
                }
                #expect(marked, "no answer to the marker after request \(index)")
                if answer == nil { answer = try await client.receive(timeout: 0.02) }
                answers.append(answer)
            }
            if answers.contains(where: { $0 != nil }) {
                for side in answers.indices where answers[side] == nil {
                    answers[side] = try await clients[side].receive(timeout: 3)
                }
            }
            for side in answers.indices { all[side].append(answers[side]) }
        }
        return all
    }

    @Test func theThreadAnswersEveryDatagramWithTheSameOctetsAsTheEventLoop() async throws {
        let (nio, nioPort) = try await Self.agent(thread: false)
        defer { Task { await nio.stop() } }
        let (threaded, threadPort) = try await Self.agent(thread: true)
        defer { Task { await threaded.stop() } }
        let requests = Self.requests()
        let answers = try await Self.answers(requests, ports: [nioPort, threadPort])
        for (index, request) in requests.enumerated() {
            #expect(answers[0][index] == answers[1][index], "request \(index): \(request)")
        }
        // Not vacuous: the v2c and v3 GETs of the load OID were answered with its value.
        let v2c = try CommunityMessage(decoding: try #require(answers[1][0]))
        #expect(v2c.pdu.variableBindings == [VariableBinding(oid: Fixture.loadOID, value: .integer(42))])
        #expect(answers[1].compactMap { $0 }.count > 20)
        #expect(nio.statistics == threaded.statistics)
        #expect(threaded.statistics.parseErrors > 30)
    }

    @Test func theThreadRefusesWhatTheEventLoopRefusesAndReportsItAlike() async throws {
        func access(_ refusals: Refusals) throws -> SNMPAgentAccess {
            SNMPAgentAccess(
                communities: [
                    .init(
                        community: "public",
                        source: try SNMPSourceNetwork(parsing: "127.0.0.1/32", family: .ipv4)),
                    .init(
                        community: "remote",
                        source: try SNMPSourceNetwork(parsing: "10.0.0.0/8", family: .ipv4)),
                ],
                users: [
                    .init(userName: Fixture.sha256User.name, minimumLevel: .authPriv),
                    .init(userName: Fixture.md5User.name, minimumLevel: .authNoPriv),
                ],
                onRefusal: { refusals.record($0) })
        }
        let nioRefusals = Refusals()
        let threadRefusals = Refusals()
        let (nio, nioPort) = try await Self.agent(thread: false, access: try access(nioRefusals))
        defer { Task { await nio.stop() } }
        let (threaded, threadPort) = try await Self.agent(thread: true, access: try access(threadRefusals))
        defer { Task { await threaded.stop() } }
        let load = VariableBinding(oid: Fixture.loadOID)
        var belowLevel = Fixture.sha256User
        belowLevel.privacy = nil
        var wrong = Fixture.sha256User
        wrong.authentication?.password = "not-the-password"
        let requests = [
            Fixture.v2cGet([Fixture.loadOID], community: "wrong"),
            Fixture.v2cGet([Fixture.loadOID], community: "remote"),
            Fixture.v2cGet([Fixture.loadOID], community: "public"),
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 2, variableBindings: [load]), user: belowLevel),
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 3, variableBindings: [load]), user: Fixture.sha256User,
                keyUser: wrong),
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 4, variableBindings: [load]),
                user: USMUser(name: "nobody", authentication: .init(.sha256, password: "nobody-password"))),
            // A configured user without a grant: an authorizationError.
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 5, variableBindings: [load]), user: Fixture.shaAESUser),
            Fixture.v3Request(
                PDU(kind: .getRequest, requestID: 6, variableBindings: [load]), user: Fixture.sha256User),
        ]
        let answers = try await Self.answers(requests, ports: [nioPort, threadPort])
        #expect(answers[0] == answers[1])
        #expect(answers[1][0] == nil)
        #expect(answers[1][1] == nil)
        #expect(answers[1][2] != nil)
        #expect(answers[1][7] != nil)
        #expect(nioRefusals.all == threadRefusals.all)
        #expect(threadRefusals.all.count == 6)
        #expect(threadRefusals.all.first == .unknownCommunity)
        #expect(threadRefusals.all.contains(.communityNotFromThisSource(community: "remote")))
        #expect(
            threadRefusals.all.contains(
                .authenticationFailure(user: Fixture.sha256User.name, error: .wrongDigest)))
        #expect(threadRefusals.all.contains(.userWithoutGrant(user: Fixture.shaAESUser.name)))
        #expect(nio.statistics == threaded.statistics)
    }

    @Test func aValueNotAtHandIsFetchedByItsProviderAndAnsweredFromTheTask() async throws {
        let fresh = Atomic(false)
        let calls = Atomic(0)
        let (agent, port) = try await Self.agent(
            thread: true, immediate: { fresh.load(ordering: .relaxed) ? .integer(1) : nil },
            provider: {
                calls.add(1, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(20))
                return .integer(7)
            })
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        for requestID in Int32(1)...3 {
            let stale = try CommunityMessage(
                decoding: try #require(
                    try await socket.exchange(
                        Fixture.v2cGet([Fixture.loadOID], requestID: requestID), port: port)))
            #expect(stale.pdu.requestID == requestID)
            #expect(stale.pdu.variableBindings == [VariableBinding(oid: Fixture.loadOID, value: .integer(7))])
        }
        #expect(calls.load(ordering: .relaxed) == 3)
        fresh.store(true, ordering: .relaxed)
        let cached = try CommunityMessage(
            decoding: try #require(
                try await socket.exchange(Fixture.v2cGet([Fixture.loadOID], requestID: 9), port: port)))
        #expect(cached.pdu.variableBindings == [VariableBinding(oid: Fixture.loadOID, value: .integer(1))])
        #expect(calls.load(ordering: .relaxed) == 3)
        #expect(agent.statistics.messagesSent == 4)
    }

    @Test func stoppingJoinsTheThreadAndClosesTheSocket() async throws {
        let (agent, port) = try await Self.agent(thread: true)
        let client = try TestUDPSocket()
        #expect(try await client.exchange(Fixture.v2cGet([Fixture.loadOID]), port: port) != nil)
        await agent.stop()
        // Closed: the port can be bound again without SO_REUSEADDR, and nothing answers on it.
        #expect(try await client.exchange(Fixture.v2cGet([Fixture.loadOID]), port: port, timeout: 0.2) == nil)
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(bound == 0)
        close(descriptor)
        // And it starts again, on the same port.
        var configuration = agent.configuration
        configuration.port = port
        let again = SNMPAgent(configuration: configuration, keyCache: Fixture.keyCache)
        again.register(Fixture.loadOID, value: .integer(5))
        _ = try await again.start()
        let answer = try CommunityMessage(
            decoding: try #require(try await client.exchange(Fixture.v2cGet([Fixture.loadOID]), port: port)))
        #expect(answer.pdu.variableBindings == [VariableBinding(oid: Fixture.loadOID, value: .integer(5))])
        await again.stop()
    }

    @Test func aBusyPollingThreadAnswersAStreakOfRequestsAndStillStops() async throws {
        var configuration = Fixture.configuration()
        configuration.busyPoll = .microseconds(200)
        let (agent, port) = try await Fixture.startAgent(configuration: configuration)
        let client = try TestUDPSocket()
        for requestID in Int32(1)...200 {
            let answer = try CommunityMessage(
                decoding: try #require(
                    try await client.exchange(
                        Fixture.v2cGet([Fixture.loadOID], requestID: requestID), port: port)))
            #expect(answer.pdu.requestID == requestID)
        }
        await agent.stop()
        #expect(agent.statistics.messagesSent == 200)
        #expect(try await client.exchange(Fixture.v2cGet([Fixture.loadOID]), port: port, timeout: 0.2) == nil)
    }

    @Test func theAgentsSealingAndDigestGiveTheUSMCodecsOctets() throws {
        let engine = USMCodec.Engine(id: Fixture.engineID, boots: 3, time: 77)
        let scoped = ScopedPDU(
            contextEngineID: Fixture.engineID,
            pdu: PDU(
                kind: .response, requestID: 5,
                variableBindings: [VariableBinding(oid: Fixture.loadOID, value: .integer(9))]))
        for configured in Fixture.users {
            let table = AgentUserKeyTable(
                users: [Array(configured.name.utf8): configured], keyCache: Fixture.keyCache,
                engineID: Fixture.engineID)
            let prepared = try #require(table.keys(named: Array(configured.name.utf8)))
            for level in [SecurityLevel.noAuthNoPriv, .authNoPriv, .authPriv]
            where SecurityLevel.rank(level) <= SecurityLevel.rank(configured.securityLevel) {
                let user = AgentUSM.user(configured, at: level)
                let keys = Fixture.keyCache.keys(for: user, engineID: Fixture.engineID)
                #expect(prepared.keys(for: user) == keys)
                let expected = USMCodec.seal(
                    scoped, messageID: 12, reportable: false, user: user, keys: keys, engine: engine, salt: 99
                )
                let sealed = AgentUSM.seal(
                    scoped, messageID: 12, user: user, keys: keys, digest: prepared.digest, engine: engine,
                    salt: 99)
                #expect(sealed == expected, "\(configured.name) at \(level)")
                if user.authentication != nil, let digest = prepared.digest, var tampered = sealed {
                    #expect(digest.verify(tampered))
                    tampered[tampered.count - 1] ^= 1
                    #expect(!digest.verify(tampered))
                }
            }
        }
        // Another user's name with the same keys is not taken for this user.
        let table = AgentUserKeyTable(
            users: [Array(Fixture.sha256User.name.utf8): Fixture.sha256User], keyCache: Fixture.keyCache,
            engineID: Fixture.engineID)
        var impostor = Fixture.sha256User
        impostor.authentication?.password = "other-password"
        #expect(table.keys(named: Array(Fixture.sha256User.name.utf8))?.keys(for: impostor) == nil)
    }
}

/// A seeded generator, so a failing garbage datagram can be found again.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
