import NIOCore
import Synchronization
import Testing

@testable import SNMP

/// The agent on a real UDP socket, driven with hand-built datagrams.
@Suite struct AgentTests {
    typealias Fixture = AgentFixture

    /// A provider that hangs: the agent cancels it on timeout, and a `try? await Task.sleep` loop
    /// would then spin and eat a thread of the cooperative pool (two cores, two threads).
    static func sleepIgnoringCancellation(_ duration: Duration) async {
        await Task { try? await Task.sleep(for: duration) }.value
    }

    private func response(_ bytes: [UInt8]?) throws -> PDU {
        let bytes = try #require(bytes, "no answer from the agent")
        return try CommunityMessage(decoding: bytes).pdu
    }

    @Test func aV2cGetAnswersTheRegisteredIntegerAndString() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        let pdu = try response(
            await socket.exchange(
                Fixture.v2cGet([Fixture.loadOID, Fixture.textOID], requestID: 4242), port: port))
        #expect(pdu.kind == .response)
        #expect(pdu.requestID == 4242)
        #expect(pdu.errorStatus == 0)
        #expect(
            pdu.variableBindings == [
                VariableBinding(oid: Fixture.loadOID, value: .integer(42)),
                VariableBinding(oid: Fixture.textOID, value: .string(Fixture.text)),
            ])
    }

    @Test func getNextWalksInOIDOrderAndEndsWithEndOfMibView() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        var cursor = OID(".1.3.6.1.4.1.96")!
        var walked: [OID] = []
        for requestID in Int32(1)...10 {
            let pdu = try response(
                await socket.exchange(
                    Fixture.v2cGet([cursor], requestID: requestID, kind: .getNextRequest), port: port))
            let binding = try #require(pdu.variableBindings.first)
            if binding.value == .endOfMibView {
                #expect(binding.oid == cursor)
                break
            }
            walked.append(binding.oid)
            cursor = binding.oid
        }
        #expect(walked == [Fixture.loadOID, Fixture.textOID, Fixture.counterOID, Fixture.gaugeOID])
    }

    @Test func aV1GetOfAnUnknownOIDAnswersNoSuchNameWithItsIndex() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        let unknown = OID(".1.3.6.1.4.1.96.254")!
        let request = CommunityMessage(
            version: .v1, community: Array("public".utf8),
            pdu: PDU(
                kind: .getRequest, requestID: 8,
                variableBindings: [VariableBinding(oid: Fixture.loadOID), VariableBinding(oid: unknown)]))
        let answer = try CommunityMessage(
            decoding: try #require(await socket.exchange(request.encoded(), port: port)))
        #expect(answer.version == .v1)
        #expect(answer.pdu.errorStatus == SNMPErrorStatus.noSuchName.rawValue)
        #expect(answer.pdu.errorIndex == 2)
        #expect(answer.pdu.variableBindings == request.pdu.variableBindings)
    }

    @Test func aV2cGetOfAnUnknownOIDAnswersNoSuchObjectOrNoSuchInstance() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        let underAnObject = OID(arcs: Fixture.loadOID.arcs + [0])!
        let pdu = try response(
            await socket.exchange(Fixture.v2cGet([OID(".1.3.6.1.2.1.1.1.0")!, underAnObject]), port: port))
        #expect(pdu.errorStatus == 0)
        #expect(pdu.variableBindings.map(\.value) == [.noSuchObject, .noSuchInstance])
    }

    @Test func aWrongCommunityIsDroppedSilently() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        #expect(
            try await socket.exchange(
                Fixture.v2cGet([Fixture.loadOID], community: "private"), port: port, timeout: 0.5) == nil)
        #expect(agent.statistics.badCommunityNames == 1)
        // The socket still works for the right community.
        #expect(
            try response(await socket.exchange(Fixture.v2cGet([Fixture.loadOID]), port: port)).errorStatus
                == 0)
    }

    @Test func discoveryGetsAnUnknownEngineIDReportWithTheEngineIDBootsAndTime() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        let bytes = try #require(await socket.exchange(Fixture.discoveryRequest(messageID: 31), port: port))
        let report = try SNMPv3Message(decoding: bytes)
        #expect(report.messageID == 31)
        #expect(report.flags == [])
        #expect(report.security.engineID == Fixture.engineID)
        #expect(report.security.engineBoots == 1)
        #expect((0...5).contains(report.security.engineTime))
        let scoped = try #require(report.scopedPDU)
        #expect(scoped.contextEngineID == Fixture.engineID)
        #expect(scoped.pdu.kind == .report)
        #expect(scoped.pdu.requestID == 3)
        #expect(
            scoped.pdu.variableBindings == [
                VariableBinding(oid: USMError.unknownEngineID.reportOID, value: .counter32(1))
            ])
    }

    @Test func aWrongPasswordGetsAWrongDigestReport() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        var impostor = Fixture.md5User
        impostor.authentication?.password = "not-the-password"
        let request = Fixture.v3Request(
            PDU(kind: .getRequest, requestID: 5, variableBindings: [VariableBinding(oid: Fixture.loadOID)]),
            user: impostor, time: agent.engineTime)
        let report = try SNMPv3Message(decoding: try #require(await socket.exchange(request, port: port)))
        #expect(report.flags == [])
        #expect(report.security.userName == Array("loadbalancing".utf8))
        #expect(report.scopedPDU?.pdu.variableBindings.first?.oid == USMError.wrongDigest.reportOID)
        #expect(agent.statistics.usmErrors[.wrongDigest] == 1)
    }

    @Test func anUnknownUserGetsAnUnknownUserNameReport() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        let request = Fixture.v3Request(
            PDU(kind: .getRequest, requestID: 6, variableBindings: [VariableBinding(oid: Fixture.loadOID)]),
            user: USMUser(name: "mallory"))
        let report = try SNMPv3Message(decoding: try #require(await socket.exchange(request, port: port)))
        let pdu = try #require(report.scopedPDU?.pdu)
        #expect(pdu.kind == .report)
        #expect(pdu.requestID == 6)
        #expect(
            pdu.variableBindings == [
                VariableBinding(oid: USMError.unknownUserName.reportOID, value: .counter32(1))
            ])
    }

    @Test func anAuthPrivGetIsAnsweredEncryptedWithTheInjectedSalt() async throws {
        let configuration = Fixture.configuration(random: { 0x0102_0304_0506_0708 })
        let (agent, port) = try await Fixture.startAgent(configuration: configuration)
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        let user = Fixture.shaAESUser
        let request = Fixture.v3Request(
            PDU(kind: .getRequest, requestID: 12, variableBindings: [VariableBinding(oid: Fixture.loadOID)]),
            user: user, time: agent.engineTime, messageID: 4711)
        let bytes = try #require(await socket.exchange(request, port: port))
        let message = try SNMPv3Message(decoding: bytes)
        #expect(message.messageID == 4711)
        #expect(message.flags == [.authenticated, .privacy])
        #expect(message.security.privacyParameters == [1, 2, 3, 4, 5, 6, 7, 8])
        let scoped = try USMCodec.open(
            message, bytes: bytes, user: user,
            keys: Fixture.keyCache.keys(for: user, engineID: Fixture.engineID))
        #expect(scoped.contextEngineID == Fixture.engineID)
        #expect(scoped.pdu.requestID == 12)
        #expect(scoped.pdu.variableBindings == [VariableBinding(oid: Fixture.loadOID, value: .integer(42))])
    }

    @Test func aHungProviderDelaysOnlyItsOwnRequest() async throws {
        let hung = OID(".1.3.6.1.4.1.96.255.9")!
        var objects = Fixture.objects
        objects[hung] = {
            // Ignores cancellation on purpose: the agent must not wait for it.
            await Self.sleepIgnoringCancellation(.seconds(10))
            return .null
        }
        var configuration = Fixture.configuration()
        configuration.requestTimeout = .seconds(8)
        let (agent, port) = try await Fixture.startAgent(configuration: configuration, objects: objects)
        defer { Task { await agent.stop() } }
        let slow = try TestUDPSocket()
        let fast = try TestUDPSocket()
        slow.send(Fixture.v2cGet([hung], requestID: 1), to: port)
        let quick = try response(
            await fast.exchange(Fixture.v2cGet([Fixture.loadOID], requestID: 2), port: port))
        #expect(quick.variableBindings.first?.value == .integer(42))
        // Answered before the hung request's timeout: it did not wait for it. Checked by order
        // rather than by a stopwatch, which other tests' load on two cores can stop for seconds.
        #expect(try await slow.receive(timeout: 0.01) == nil, "answered only once the hung request timed out")
        // The hung one is answered with genErr once its request timeout passes.
        let late = try response(await slow.receive(timeout: 20))
        #expect(late.requestID == 1)
        #expect(late.errorStatus == SNMPErrorStatus.genErr.rawValue)
        #expect(agent.statistics.requestTimeouts == 1)
    }

    @Test func providersStillRunningAfterTheirTimeoutKeepTheirSlots() async throws {
        let hung = OID(".1.3.6.1.4.1.96.255.9")!
        let release = Mutex(false)
        var objects = Fixture.objects
        objects[hung] = {
            while !release.withLock({ $0 }) { await Self.sleepIgnoringCancellation(.milliseconds(20)) }
            return .null
        }
        var configuration = Fixture.configuration()
        configuration.maximumConcurrentRequests = 2
        configuration.requestTimeout = .milliseconds(200)
        let (agent, port) = try await Fixture.startAgent(configuration: configuration, objects: objects)
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        for requestID in Int32(1)...2 {
            let pdu = try response(
                await socket.exchange(Fixture.v2cGet([hung], requestID: requestID), port: port))
            #expect(pdu.errorStatus == SNMPErrorStatus.genErr.rawValue)
        }
        // Both slots are held by the providers: the next request is dropped, memory stays bounded.
        #expect(try await socket.exchange(Fixture.v2cGet([Fixture.loadOID]), port: port, timeout: 0.5) == nil)
        #expect(agent.statistics.droppedWhileBusy == 1)
        release.withLock { $0 = true }
        try await Task.sleep(for: .milliseconds(200))
        #expect(
            try response(await socket.exchange(Fixture.v2cGet([Fixture.loadOID]), port: port)).errorStatus
                == 0)
    }

    @Test func aDatagramLargerThan2048BytesIsReadWhole() async throws {
        let (agent, port) = try await Fixture.startAgent()
        defer { Task { await agent.stop() } }
        let socket = try TestUDPSocket()
        // 300 bindings make a request of about 4 KB; NIO's default allocator would cut it.
        let oids = [OID](repeating: Fixture.loadOID, count: 300)
        let request = Fixture.v2cGet(oids, requestID: 77)
        #expect(request.count > 2048)
        let pdu = try response(await socket.exchange(request, port: port))
        #expect(pdu.variableBindings.count == 300)
    }

    @Test func startRejectsAnInvalidConfiguration() async throws {
        let shortEngineID = Fixture.configuration(engineID: [0x80, 0, 0])
        var negativeBoots = Fixture.configuration()
        negativeBoots.engineBoots = -1
        var emptyPassword = Fixture.configuration()
        emptyPassword.users = [USMUser(name: "nopassword", authentication: .init(.sha1, password: ""))]
        var badPort = Fixture.configuration()
        badPort.port = 70_000
        let cases: [(SNMPAgentConfiguration, SNMPAgentError.Code)] = [
            (shortEngineID, .invalidEngineID), (negativeBoots, .invalidEngineBoots),
            (emptyPassword, .invalidUser),
            (badPort, .invalidPort),
        ]
        for (configuration, code) in cases {
            let agent = SNMPAgent(configuration: configuration)
            let error = await #expect(throws: SNMPAgentError.self) { try await agent.start() }
            #expect(error?.code == code)
        }
    }

    @Test func generatedEngineIDsFollowRFC3411() {
        let engineID = SNMPAgentConfiguration.generateEngineID()
        #expect(engineID.count == 13)
        #expect(Array(engineID.prefix(5)) == [0x80, 0x00, 0x00, 0x60, 0x05])
        #expect(SNMPAgentConfiguration.generateEngineID() != engineID)
    }
}
