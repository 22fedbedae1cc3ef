import Testing

@testable import SNMP

/// The agent's request handling without sockets: datagram bytes in, datagram bytes out.
@Suite struct AgentResponderTests {
    typealias Fixture = AgentFixture

    let counters = AgentCounters()
    let responder: AgentResponder
    let objects: AgentObjectTable

    init() {
        responder = AgentResponder(
            configuration: Fixture.configuration(), keyCache: Fixture.keyCache, counters: counters)
        var table = AgentObjectTable()
        for (oid, provider) in Fixture.objects {
            table.register(oid, provider: provider)
        }
        objects = table
    }

    private func reply(_ bytes: [UInt8], engineTime: Int32 = 1000, objects: AgentObjectTable? = nil) async
        -> [UInt8]?
    {
        await responder.reply(to: bytes, objects: objects ?? self.objects, engineTime: engineTime)
    }

    private func get(_ oids: [OID], kind: PDU.Kind = .getRequest, requestID: Int32 = 1) -> PDU {
        PDU(kind: kind, requestID: requestID, variableBindings: oids.map { VariableBinding(oid: $0) })
    }

    private func community(_ version: SNMPVersion, _ pdu: PDU) async throws -> PDU {
        let bytes = try #require(
            await reply(
                CommunityMessage(version: version, community: Array("public".utf8), pdu: pdu).encoded()))
        return try CommunityMessage(decoding: bytes).pdu
    }

    private func report(_ bytes: [UInt8]?) throws -> (SNMPv3Message, PDU) {
        let message = try SNMPv3Message(decoding: try #require(bytes))
        let pdu = try #require(message.scopedPDU?.pdu)
        #expect(pdu.kind == .report)
        return (message, pdu)
    }

    @Test func aMessageOutsideTheTimeWindowGetsAnAuthenticatedReportWithTheEngineTime() async throws {
        for (boots, time) in [(Int32(1), Int32(1000 + 151)), (1, 1000 - 151), (2, 1000)] {
            let request = Fixture.v3Request(
                get([Fixture.loadOID]), user: Fixture.shaAESUser, boots: boots, time: time)
            let bytes = try #require(await reply(request, engineTime: 1000))
            let (message, pdu) = try report(bytes)
            #expect(message.flags == [.authenticated])
            #expect(message.security.engineBoots == 1)
            #expect(message.security.engineTime == 1000)
            #expect(pdu.variableBindings.first?.oid == USMError.notInTimeWindow.reportOID)
            let keys = Fixture.keyCache.keys(for: Fixture.shaAESUser, engineID: Fixture.engineID)
            #expect(USMAuthentication.verify(bytes, key: keys.authentication!, protocol: .sha1))
        }
        #expect(counters.snapshot.usmErrors[.notInTimeWindow] == 3)
        // 150 seconds off is still in the window.
        let inside = Fixture.v3Request(get([Fixture.loadOID]), user: Fixture.shaAESUser, time: 1150)
        let message = try SNMPv3Message(decoding: try #require(await reply(inside, engineTime: 1000)))
        #expect(message.flags == [.authenticated, .privacy])
    }

    @Test func aLevelTheUserDoesNotHaveGetsAnUnsupportedSecLevelsReport() async throws {
        var guestWithAuthentication = Fixture.noAuthUser
        guestWithAuthentication.authentication = .init(.md5, password: "some-password")
        let request = Fixture.v3Request(get([Fixture.loadOID]), user: guestWithAuthentication, time: 1000)
        let (message, pdu) = try report(await reply(request))
        #expect(message.flags == [])
        #expect(pdu.variableBindings.first?.oid == USMError.unsupportedSecurityLevel.reportOID)
    }

    @Test func aLevelBelowTheUsersGetsAnAuthorizationError() async throws {
        let unauthenticated = AgentUSM.user(Fixture.md5User, at: .noAuthNoPriv)
        let request = Fixture.v3Request(
            get([Fixture.loadOID], requestID: 9), user: unauthenticated, time: 1000)
        let message = try SNMPv3Message(decoding: try #require(await reply(request)))
        let pdu = try #require(message.scopedPDU?.pdu)
        #expect(pdu.kind == .response)
        #expect(pdu.requestID == 9)
        #expect(pdu.errorStatus == SNMPErrorStatus.authorizationError.rawValue)
    }

    @Test func anAuthPrivUserAskingAtAuthNoPrivIsRefusedInAnAuthenticatedResponse() async throws {
        let user = AgentUSM.user(Fixture.shaAESUser, at: .authNoPriv)
        let request = Fixture.v3Request(get([Fixture.loadOID]), user: user, time: 1000)
        let bytes = try #require(await reply(request))
        let message = try SNMPv3Message(decoding: bytes)
        #expect(message.flags == [.authenticated])
        let scoped = try USMCodec.open(
            message, bytes: bytes, user: user,
            keys: Fixture.keyCache.keys(for: user, engineID: Fixture.engineID))
        #expect(scoped.pdu.errorStatus == SNMPErrorStatus.authorizationError.rawValue)
        #expect(scoped.pdu.variableBindings == [VariableBinding(oid: Fixture.loadOID)])
    }

    @Test func aWrongPrivacyPasswordGetsADecryptionErrorReport() async throws {
        var wrongPrivacy = Fixture.shaAESUser
        wrongPrivacy.privacy?.password = "another-aes-password"
        let request = Fixture.v3Request(
            get([Fixture.loadOID]), user: Fixture.shaAESUser, time: 1000, keyUser: wrongPrivacy)
        let (message, pdu) = try report(await reply(request))
        #expect(message.flags == [])
        #expect(pdu.requestID == 0)
        #expect(pdu.variableBindings.first?.oid == USMError.decryptionError.reportOID)
    }

    @Test func everyUserIsAnsweredAtItsOwnLevel() async throws {
        for user in Fixture.users {
            let request = Fixture.v3Request(get([Fixture.textOID]), user: user, time: 1000)
            let bytes = try #require(await reply(request))
            let message = try SNMPv3Message(decoding: bytes)
            #expect(message.flags == user.flags, "\(user.name)")
            let scoped = try USMCodec.open(
                message, bytes: bytes, user: user,
                keys: Fixture.keyCache.keys(for: user, engineID: Fixture.engineID))
            #expect(scoped.pdu.variableBindings.first?.value == .string(Fixture.text), "\(user.name)")
        }
    }

    @Test func noReportAnswersAMessageThatIsNotARequest() async throws {
        let message = SNMPv3Message(
            messageID: 1, flags: [.reportable], security: USMSecurityParameters(),
            payload: .plaintext(ScopedPDU(contextEngineID: [], pdu: get([], kind: .response))))
        #expect(await reply(message.encoded()) == nil)
        #expect(counters.snapshot.usmErrors[.unknownEngineID] == 1)
    }

    @Test func getBulkRepeatsAfterTheNonRepeaters() async throws {
        var request = get([Fixture.loadOID, OID(".1.3.6.1.4.1.96.255")!], kind: .getBulkRequest)
        request.errorStatus = 1  // non-repeaters
        request.errorIndex = 10  // max-repetitions
        let pdu = try await community(.v2c, request)
        #expect(
            pdu.variableBindings.map(\.oid) == [
                Fixture.textOID, Fixture.loadOID, Fixture.textOID, Fixture.counterOID, Fixture.gaugeOID,
                Fixture.gaugeOID,
            ])
        #expect(pdu.variableBindings.last?.value == .endOfMibView)
    }

    @Test func getBulkIsCutShortToFitTheDatagram() async throws {
        var table = AgentObjectTable()
        let big = SNMPValue.octetString([UInt8](repeating: 0x41, count: 1000))
        for index in UInt32(1)...200 {
            table.register(OID(arcs: [1, 3, 6, 1, 4, 1, 96, 1, index])!) { big }
        }
        var request = get([OID(".1.3.6.1.4.1.96")!], kind: .getBulkRequest)
        request.errorIndex = 500
        let bytes = try #require(
            await reply(
                CommunityMessage(version: .v2c, community: Array("public".utf8), pdu: request).encoded(),
                objects: table))
        #expect(bytes.count <= AgentResponder.maximumDatagramSize)
        let pdu = try CommunityMessage(decoding: bytes).pdu
        #expect(pdu.errorStatus == 0)
        #expect((60..<66).contains(pdu.variableBindings.count))
    }

    @Test func v1SkipsCounter64OnGetNextAndRefusesItOnGet() async throws {
        let next = try await community(.v1, get([Fixture.textOID], kind: .getNextRequest))
        #expect(next.variableBindings == [VariableBinding(oid: Fixture.gaugeOID, value: .gauge32(7))])
        let direct = try await community(.v1, get([Fixture.counterOID]))
        #expect(direct.errorStatus == SNMPErrorStatus.noSuchName.rawValue)
        #expect(direct.errorIndex == 1)
        let past = try await community(.v1, get([Fixture.gaugeOID], kind: .getNextRequest))
        #expect(past.errorStatus == SNMPErrorStatus.noSuchName.rawValue)
    }

    @Test func aV1GetBulkIsDropped() async throws {
        let bytes = CommunityMessage(
            version: .v1, community: Array("public".utf8), pdu: get([Fixture.loadOID], kind: .getBulkRequest)
        ).encoded()
        #expect(await reply(bytes) == nil)
    }

    @Test func aSetIsRefusedAsReadOnly() async throws {
        var set = get([Fixture.loadOID], kind: .setRequest)
        set.variableBindings[0].value = .integer(1)
        #expect(try await community(.v2c, set).errorStatus == SNMPErrorStatus.noAccess.rawValue)
        #expect(try await community(.v1, set).errorStatus == SNMPErrorStatus.noSuchName.rawValue)
    }

    @Test func aThrowingProviderAnswersGenErrAtItsIndex() async throws {
        struct Broken: Error {}
        var table = objects
        let broken = OID(".1.3.6.1.4.1.96.255.8")!
        table.register(broken) { throw Broken() }
        let bytes = try #require(
            await reply(
                CommunityMessage(
                    version: .v2c, community: Array("public".utf8), pdu: get([Fixture.loadOID, broken])
                ).encoded(), objects: table))
        let pdu = try CommunityMessage(decoding: bytes).pdu
        #expect(pdu.errorStatus == SNMPErrorStatus.genErr.rawValue)
        #expect(pdu.errorIndex == 2)
    }

    @Test func aProviderWithoutAValueIsSkippedByGetNext() async throws {
        var table = objects
        table.register(Fixture.textOID) { .noSuchInstance }
        let bytes = try #require(
            await reply(
                CommunityMessage(
                    version: .v2c, community: Array("public".utf8),
                    pdu: get([Fixture.loadOID, Fixture.textOID], kind: .getNextRequest)
                ).encoded(), objects: table))
        let pdu = try CommunityMessage(decoding: bytes).pdu
        #expect(pdu.variableBindings.map(\.oid) == [Fixture.counterOID, Fixture.counterOID])
    }

    @Test func anEmptyTableEndsEveryWalk() async throws {
        let bytes = try #require(
            await reply(
                CommunityMessage(
                    version: .v2c, community: Array("public".utf8),
                    pdu: get([OID("0.0")!], kind: .getNextRequest)
                ).encoded(), objects: AgentObjectTable()))
        #expect(try CommunityMessage(decoding: bytes).pdu.variableBindings.first?.value == .endOfMibView)
    }

    @Test func registeringKeepsOIDOrderAndReplaces() {
        var table = AgentObjectTable()
        for text in ["1.3.6.1.4", "1.3.6.1.2", "1.3.6.1.4.1", "1.3.6.1.2", "1.3.6.1.10"] {
            table.register(OID(text)!) { .null }
        }
        #expect(table.oids.map(\.description) == [".1.3.6.1.2", ".1.3.6.1.4", ".1.3.6.1.4.1", ".1.3.6.1.10"])
        #expect(table.firstIndex(after: OID("1.3.6.1.4")!) == 2)
        #expect(table.firstIndex(after: OID("1.3.6.1.3")!) == 1)
        table.unregister(OID("1.3.6.1.4")!)
        #expect(table.oids.count == 3)
    }
}
