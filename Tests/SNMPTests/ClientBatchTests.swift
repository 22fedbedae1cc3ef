import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import SNMP

/// Batches of GETs (`SNMPClient.get(_:fromEach:...)`): they must read every answer as the
/// client's tasks do, pace themselves, survive agents that answer garbage, from elsewhere or not
/// at all, follow v3 engines that restart, and end at once when cancelled.
@Suite(.enabled(if: SNMPClient.batchGetsAvailable)) struct ClientBatchTests {
    static let oid = OID("1.3.6.1.4.1.96.255.1")!
    /// One key cache for every agent of the suite: each of the sixty agents would otherwise hash
    /// the user's passwords (a megabyte of hashing per key, slow in a debug build) on the
    /// cooperative pool, and starve the time-sensitive tests that share the process.
    static let keys = USMKeyCache()
    let user = USMUser(
        name: "loadbalancing", authentication: .init(.sha256, password: "client-batch-auth"),
        privacy: .init(.aes128, password: "client-batch-priv"))

    /// What a batch delivered: each target's outcome, how many times each was delivered, and
    /// how many times `started` was called.
    final class Delivered: Sendable {
        private let state = Mutex<
            (outcomes: [Int: SNMPClient.BatchOutcome], deliveries: [Int: Int], started: Int)
        >(
            ([:], [:], 0))

        func deliver(_ target: Int, _ outcome: SNMPClient.BatchOutcome) {
            state.withLock { state in
                state.outcomes[target] = outcome
                state.deliveries[target, default: 0] += 1
            }
        }

        func start() { state.withLock { $0.started += 1 } }

        var outcomes: [Int: SNMPClient.BatchOutcome] { state.withLock { $0.outcomes } }
        var deliveries: [Int: Int] { state.withLock { $0.deliveries } }
        var started: Int { state.withLock { $0.started } }
    }

    private func batch(
        _ client: SNMPClient, _ targets: [SocketAddress], credentials: SNMPCredentials = .community("public"),
        // Generous: a loaded CI machine must not turn a live agent into a timeout.
        timeout: Duration = .seconds(1), retries: Int = 1,
        pacing: SNMPClient.BatchPacing = .init(concurrency: 100, maximumOutstanding: 100, promptWindow: nil)
    ) async -> Delivered {
        let delivered = Delivered()
        await client.get(
            [Self.oid], fromEach: targets, credentials: credentials, timeout: timeout, retries: retries,
            pacing: pacing, started: delivered.start
        ) { target, outcome, _ in delivered.deliver(target, outcome) }
        return delivered
    }

    private func scripted(_ answer: @escaping @Sendable (CommunityMessage) -> [[UInt8]]) async throws
        -> (any Channel, SocketAddress)
    {
        let agent = ScriptedAgent(answer: answer)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Room for a large batch's requests at once: the default buffer drops most of them.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(agent)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (channel, try #require(channel.localAddress))
    }

    /// A UDP socket on loopback that reads requests and never answers.
    private func silent() async throws -> (any Channel, SocketAddress) {
        try await scripted { _ in [] }
    }

    // MARK: - Reading answers

    /// Agents that answer garbage, truncated messages, the wrong PDU, the wrong number of
    /// bindings, an error status, another request's id or nothing: the batch and the client's
    /// own `get` must end each the same way.
    @Test func everyAnswerIsReadAsTheClientsTasksReadIt() async throws {
        let two = [
            VariableBinding(oid: Self.oid, value: .integer(1)),
            VariableBinding(oid: Self.oid, value: .integer(2)),
        ]
        let scripts: [@Sendable (CommunityMessage) -> [[UInt8]]] = [
            { [ScriptedAgent.response(to: $0)] },
            { _ in [Array("this is not SNMP".utf8)] },
            { [Array(ScriptedAgent.response(to: $0).prefix(9))] },
            { _ in [[0x30, 0x03, 0x02, 0x01, 0x07]] },
            { [ScriptedAgent.response(to: $0, kind: .getRequest)] },
            { [ScriptedAgent.response(to: $0, bindings: two)] },
            { [ScriptedAgent.response(to: $0, bindings: [])] },
            { [ScriptedAgent.response(to: $0, idOffset: 1), ScriptedAgent.response(to: $0)] },
            { [[0xFF, 0x00], ScriptedAgent.response(to: $0)] },
            { [ScriptedAgent.response(to: $0, idOffset: 5)] },
            { _ in [] },
            { request in
                [
                    CommunityMessage(
                        version: .v2c, community: request.community,
                        pdu: PDU(
                            kind: .response, requestID: request.pdu.requestID, errorStatus: 5, errorIndex: 1,
                            variableBindings: request.pdu.variableBindings)
                    ).encoded()
                ]
            },
            {
                [
                    ScriptedAgent.response(
                        to: $0,
                        bindings: [VariableBinding(oid: Self.oid, value: .octetString(Array("a=1".utf8)))])
                ]
            },
        ]
        var channels: [any Channel] = []
        var targets: [SocketAddress] = []
        for script in scripts {
            let (channel, address) = try await scripted(script)
            channels.append(channel)
            targets.append(address)
        }
        let client = try await SNMPClient.start()
        var expected: [SNMPClient.BatchOutcome] = []
        for target in targets {
            do {
                expected.append(
                    .success(
                        try await client.get(
                            [Self.oid], from: target, credentials: .community("public"),
                            timeout: .seconds(1),
                            retries: 1)))
            } catch let error as SNMPClientError {
                expected.append(.failure(error))
            }
        }
        let delivered = await batch(client, targets)
        #expect(delivered.started == 1)
        #expect(delivered.deliveries == Dictionary(uniqueKeysWithValues: targets.indices.map { ($0, 1) }))
        for index in targets.indices {
            #expect(delivered.outcomes[index] == expected[index], "script \(index)")
        }
        // The scripts cover the outcomes that matter.
        #expect(expected[0] == .success([VariableBinding(oid: Self.oid, value: .integer(7))]))
        #expect(expected[10] == .failure(.timeout(attempts: 2)))
        #expect(expected[5] == .failure(.unexpectedBindingCount(received: 2, requested: 1)))
        await client.shutdown()
        for channel in channels { try await channel.close() }
    }

    /// An answer with the right id from another address is not the agent's: it is dropped, and
    /// the agent's own answer, later, counts.
    @Test func anAnswerFromAnotherAddressIsDropped() async throws {
        let recorder = RequestRecorder()
        let agentChannel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(recorder)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let agentAddress = try #require(agentChannel.localAddress)
        let (forger, _) = try await silent()
        let client = try await SNMPClient.start()
        async let delivered = batch(client, [agentAddress], timeout: .seconds(3), retries: 0)
        var first: (CommunityMessage, SocketAddress)?
        for _ in 0..<300 where first == nil {
            try await Task.sleep(for: .milliseconds(10))
            first = recorder.first
        }
        let (asked, batchSocket) = try #require(first)
        let forged = ScriptedAgent.response(
            to: asked, bindings: [VariableBinding(oid: Self.oid, value: .integer(666))])
        try await forger.writeAndFlush(
            AddressedEnvelope(remoteAddress: batchSocket, data: forger.allocator.buffer(bytes: forged)))
        try await Task.sleep(for: .milliseconds(100))
        let real = ScriptedAgent.response(
            to: asked, bindings: [VariableBinding(oid: Self.oid, value: .integer(42))])
        try await agentChannel.writeAndFlush(
            AddressedEnvelope(remoteAddress: batchSocket, data: agentChannel.allocator.buffer(bytes: real)))
        let outcome = await delivered.outcomes[0]
        #expect(outcome == .success([VariableBinding(oid: Self.oid, value: .integer(42))]))
        await client.shutdown()
        try await agentChannel.close()
        try await forger.close()
    }

    /// Random datagrams before every answer: each is noted, none ends the wait, nothing crashes.
    @Test func randomDatagramsBeforeEachAnswerAreSurvived() async throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<200).map { _ in
            (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
        }
        let (channel, address) = try await scripted { request in
            Array(noise.shuffled().prefix(8)) + [ScriptedAgent.response(to: request)]
        }
        let client = try await SNMPClient.start()
        let delivered = await batch(client, Array(repeating: address, count: 50))
        #expect(delivered.deliveries.count == 50)
        #expect(
            delivered.outcomes.values.allSatisfy {
                $0 == .success([VariableBinding(oid: Self.oid, value: .integer(7))])
            })
        await client.shutdown()
        try await channel.close()
    }

    /// A batch large enough that the run gathers answers between reads (512 polls or more in
    /// their window): every answer is still delivered once and read right, and the requests the
    /// agent ignores still time out, each once.
    @Test func aLargeBatchGatheringAnswersLosesNoneAndStillTimesOut() async throws {
        // Requests seen, and answers sent, by the agent.
        let counts = Mutex((seen: 0, answered: 0))
        let (channel, address) = try await scripted { request in
            // Every fifth request goes unanswered.
            counts.withLock { counts in
                counts.seen += 1
                guard counts.seen % 5 != 0 else { return [] }
                counts.answered += 1
                return [ScriptedAgent.response(to: request)]
            }
        }
        let client = try await SNMPClient.start()
        let delivered = await batch(
            client, Array(repeating: address, count: 1_200), timeout: .seconds(3), retries: 0,
            pacing: .init(concurrency: 1_000, maximumOutstanding: 1_000, promptWindow: nil))
        // A kernel with a small receive buffer may drop requests before the agent sees them:
        // those time out too. Every answer sent must be read, and read once.
        let answeredByAgent = counts.withLock { $0.answered }
        #expect(answeredByAgent > 0)
        #expect(delivered.started == 1)
        #expect(delivered.deliveries.count == 1_200 && delivered.deliveries.values.allSatisfy { $0 == 1 })
        let answered = delivered.outcomes.values.filter {
            $0 == .success([VariableBinding(oid: Self.oid, value: .integer(7))])
        }
        let silent = delivered.outcomes.values.filter { $0 == .failure(.timeout(attempts: 1)) }
        #expect(answered.count == answeredByAgent)
        #expect(silent.count == 1_200 - answeredByAgent)
        await client.shutdown()
        try await channel.close()
    }

    // MARK: - Many agents, v2c and v3

    private func agent(
        port: Int = 0, engineID: [UInt8] = SNMPAgentConfiguration.generateEngineID(), boots: Int32 = 1,
        value: Int32
    )
        -> SNMPAgent
    {
        let agent = SNMPAgent(
            configuration: SNMPAgentConfiguration(
                host: "127.0.0.1", port: port, communities: ["public"], users: [user], engineID: engineID,
                engineBoots: boots),
            keyCache: Self.keys)
        agent.register(Self.oid, value: .integer(value))
        return agent
    }

    @Test(arguments: [false, true]) func manyAgentsAnswerAndDeadOnesTimeOut(v3: Bool) async throws {
        var agents: [SNMPAgent] = []
        var targets: [SocketAddress] = []
        for index in 0..<30 {
            let server = agent(value: Int32(index + 1))
            targets.append(try await server.start())
            agents.append(server)
        }
        let (dead, deadAddress) = try await silent()
        targets.insert(deadAddress, at: 7)
        let client = try await SNMPClient.start()
        let credentials: SNMPCredentials = v3 ? .user(user) : .community("public")
        // Twice: the second batch finds the v3 engines cached.
        for _ in 0..<2 {
            let delivered = await batch(
                client, targets, credentials: credentials, timeout: .seconds(1), retries: 1,
                pacing: .init(concurrency: 4, maximumOutstanding: 8, promptWindow: .milliseconds(50)))
            #expect(delivered.started == 1)
            #expect(delivered.deliveries.values.allSatisfy { $0 == 1 } && delivered.deliveries.count == 31)
            #expect(delivered.outcomes[7] == .failure(.timeout(attempts: 2)))
            for (index, target) in targets.enumerated() where target != deadAddress {
                let value = index < 7 ? index + 1 : index
                #expect(
                    delivered.outcomes[index]
                        == .success([VariableBinding(oid: Self.oid, value: .integer(Int32(value)))]))
            }
        }
        for server in agents { await server.stop() }
        await client.shutdown()
        try await dead.close()
    }

    /// A rebooted agent (same engine, more boots: notInTimeWindow) and a replaced one (a new
    /// engine: unknownEngineID) are rediscovered within the batch, as the client's tasks do.
    @Test func restartedV3AgentsAreRediscovered() async throws {
        let engineID = SNMPAgentConfiguration.generateEngineID()
        let rebooting = agent(engineID: engineID, boots: 1, value: 1)
        let replaced = agent(value: 2)
        let addresses = [try await rebooting.start(), try await replaced.start()]
        let client = try await SNMPClient.start()
        let first = await batch(client, addresses, credentials: .user(user), retries: 0)
        #expect(first.outcomes[0] == .success([VariableBinding(oid: Self.oid, value: .integer(1))]))
        await rebooting.stop()
        await replaced.stop()
        let rebooted = agent(port: try #require(addresses[0].port), engineID: engineID, boots: 2, value: 3)
        let replacement = agent(port: try #require(addresses[1].port), value: 4)
        _ = try await rebooted.start()
        _ = try await replacement.start()
        let second = await batch(client, addresses, credentials: .user(user), retries: 0)
        #expect(second.outcomes[0] == .success([VariableBinding(oid: Self.oid, value: .integer(3))]))
        #expect(second.outcomes[1] == .success([VariableBinding(oid: Self.oid, value: .integer(4))]))
        await rebooted.stop()
        await replacement.stop()
        await client.shutdown()
    }

    @Test func aWrongV3PasswordIsASecurityFailure() async throws {
        let server = agent(value: 1)
        let address = try await server.start()
        let client = try await SNMPClient.start()
        let wrong = USMUser(
            name: user.name, authentication: .init(.sha256, password: "not-the-password"),
            privacy: user.privacy)
        let delivered = await batch(client, [address], credentials: .user(wrong), retries: 0)
        var expected: SNMPClient.BatchOutcome
        do {
            expected = .success(
                try await client.get([Self.oid], from: address, credentials: .user(wrong), retries: 0))
        } catch let error as SNMPClientError {
            expected = .failure(error)
        }
        #expect(delivered.outcomes[0] == expected)
        guard case .failure(.security) = expected else {
            Issue.record("expected a security failure, got \(expected)")
            return
        }
        await server.stop()
        await client.shutdown()
    }

    // MARK: - Pacing and ends

    /// With slots held to the end, no more than `concurrency` requests are ever out at once.
    @Test func slotsHeldToTheEndBoundTheRequestsOut() async throws {
        let received = Mutex(0)
        let (channel, address) = try await scripted { _ in
            received.withLock { $0 += 1 }
            return []
        }
        let client = try await SNMPClient.start()
        async let delivered = batch(
            client, Array(repeating: address, count: 6), timeout: .milliseconds(1500), retries: 0,
            pacing: .init(concurrency: 2, maximumOutstanding: 2, promptWindow: nil))
        try await Task.sleep(for: .milliseconds(500))
        #expect(received.withLock { $0 } == 2)
        let all = await delivered
        #expect(
            all.outcomes.values.allSatisfy { $0 == .failure(.timeout(attempts: 1)) }
                && all.outcomes.count == 6)
        #expect(received.withLock { $0 } == 6)
        await client.shutdown()
        try await channel.close()
    }

    /// A poll past its prompt window gives its slot back, up to `maximumOutstanding` under way.
    @Test func promptWindowsFreeSlotsUpToTheOutstandingBound() async throws {
        let received = Mutex(0)
        let (channel, address) = try await scripted { _ in
            received.withLock { $0 += 1 }
            return []
        }
        let client = try await SNMPClient.start()
        async let delivered = batch(
            client, Array(repeating: address, count: 10), timeout: .seconds(2), retries: 0,
            pacing: .init(concurrency: 1, maximumOutstanding: 4, promptWindow: .milliseconds(20)))
        try await Task.sleep(for: .milliseconds(800))
        // Four out after a few windows, and no more until the first times out.
        #expect(received.withLock { $0 } == 4)
        let all = await delivered
        #expect(all.outcomes.count == 10)
        await client.shutdown()
        try await channel.close()
    }

    /// Twenty polls of a silent agent with a 30 s timeout, under way for 100 ms: what
    /// cancellation and the client's shutdown must each end at once.
    private func batchWaitingOnSilence(_ client: SNMPClient) async throws -> (
        Task<Delivered, Never>, any Channel
    ) {
        let (channel, address) = try await silent()
        let task = Task {
            await batch(
                client, Array(repeating: address, count: 20), timeout: .seconds(30), retries: 0,
                pacing: .init(concurrency: 5, maximumOutstanding: 5, promptWindow: nil))
        }
        try await Task.sleep(for: .milliseconds(100))
        return (task, channel)
    }

    /// Every poll ended as shut down, once each, long before its timeout.
    private func expectEndedAtOnce(_ delivered: Delivered, since started: ContinuousClock.Instant) {
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(delivered.outcomes.count == 20)
        #expect(delivered.outcomes.values.allSatisfy { $0 == .failure(.shutDown) })
        #expect(delivered.deliveries.values.allSatisfy { $0 == 1 })
        #expect(delivered.started == 1)
    }

    @Test func cancellingEndsEveryPollAtOnce() async throws {
        let client = try await SNMPClient.start()
        let started = ContinuousClock.now
        let (task, channel) = try await batchWaitingOnSilence(client)
        task.cancel()
        expectEndedAtOnce(await task.value, since: started)
        await client.shutdown()
        try await channel.close()
    }

    /// The client shut down (lbd stopping) while a batch waits on silent agents.
    @Test func shuttingTheClientDownEndsABatchUnderWay() async throws {
        let client = try await SNMPClient.start()
        let started = ContinuousClock.now
        let (task, channel) = try await batchWaitingOnSilence(client)
        await client.shutdown()
        expectEndedAtOnce(await task.value, since: started)
        try await channel.close()
    }

    @Test func anAddressFamilyWithoutASocketFailsItsPollsOnly() async throws {
        let server = agent(value: 5)
        let address = try await server.start()
        let client = try await SNMPClient.start(localAddress: "127.0.0.1")
        let ipv6 = try SocketAddress(ipAddress: "::1", port: 9)
        let delivered = await batch(client, [ipv6, address])
        #expect(delivered.outcomes[0] == .failure(.unsupportedAddress("IPv6")))
        #expect(delivered.outcomes[1] == .success([VariableBinding(oid: Self.oid, value: .integer(5))]))
        await server.stop()
        await client.shutdown()
    }

    /// A request the kernel refuses (port 0: EINVAL, nothing leaves the host) fails alone, at
    /// once, as a send failure; the rest of the batch goes on.
    @Test func aRequestTheKernelRefusesFailsAlone() async throws {
        let server = agent(value: 6)
        let address = try await server.start()
        let client = try await SNMPClient.start()
        let refused = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
        let delivered = await batch(client, [refused, address, refused], timeout: .seconds(5), retries: 0)
        for index in [0, 2] {
            guard case .failure(.sendFailed) = delivered.outcomes[index] else {
                Issue.record("expected a send failure, got \(String(describing: delivered.outcomes[index]))")
                continue
            }
        }
        #expect(delivered.outcomes[1] == .success([VariableBinding(oid: Self.oid, value: .integer(6))]))
        #expect(delivered.started == 1)
        await server.stop()
        await client.shutdown()
    }

    @Test func anEmptyBatchReturnsAtOnce() async throws {
        let client = try await SNMPClient.start()
        let delivered = await batch(client, [])
        #expect(delivered.outcomes.isEmpty && delivered.started == 0)
        await client.shutdown()
    }
}

/// Notes the first request it reads and where it came from, and answers nothing.
private final class RequestRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let recorded = Mutex<(CommunityMessage, SocketAddress)?>(nil)

    var first: (CommunityMessage, SocketAddress)? { recorded.withLock { $0 } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        guard let bytes = buffer.readBytes(length: buffer.readableBytes),
            let request = try? CommunityMessage(decoding: bytes)
        else { return }
        recorded.withLock { if $0 == nil { $0 = (request, envelope.remoteAddress) } }
    }
}
