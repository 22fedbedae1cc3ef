import NIOCore

/// The agent's request path without a socket, with valid requests to mutate: what `lbbench fuzz`
/// and the fuzz sample tests drive. One fixed engine, a v1/v2c community and one user per
/// security level, so that mutated requests get past the checks a random datagram fails.
package struct SNMPAgentFuzzProbe: Sendable {
    package static let community = "public"
    package static let engineID: [UInt8] = [0x80, 0x00, 0x00, 0x60, 0x05, 0xF0, 0x22, 1, 2, 3, 4, 5]
    package static let engineTime: Int32 = 1_000
    package static let loadOID = OID(".1.3.6.1.4.1.96.255.1")!
    package static let textOID = OID(".1.3.6.1.4.1.96.255.2")!
    package static let users = [
        USMUser(name: "guest"),
        USMUser(name: "md5", authentication: .init(.md5, password: "md5-password")),
        USMUser(
            name: "sha-aes", authentication: .init(.sha1, password: "sha-password"),
            privacy: .init(.aes128, password: "aes-password")),
        USMUser(
            name: "sha512-aes", authentication: .init(.sha512, password: "sha512-password"),
            privacy: .init(.aes128, password: "aes512-password")),
    ]

    private let responder: AgentResponder
    private let objects: AgentObjectTable
    package let keyCache: USMKeyCache
    /// Well-formed requests of every kind the agent answers.
    package let seeds: [[UInt8]]

    package init() {
        keyCache = USMKeyCache()
        let configuration = SNMPAgentConfiguration(
            communities: [Self.community], users: Self.users, engineID: Self.engineID, engineBoots: 1,
            requestTimeout: .seconds(1), random: { 0x0123_4567_89AB_CDEF })
        responder = AgentResponder(
            configuration: configuration, keyCache: keyCache, counters: AgentCounters())
        var table = AgentObjectTable()
        table.register(Self.loadOID) { .integer(42) }
        table.register(Self.textOID) { .string("www.example.org=12,api.example.org=-3") }
        table.register(OID(".1.3.6.1.4.1.96.255.3")!) { .counter64(1 << 40) }
        objects = table
        seeds = Self.requests(keyCache: keyCache)
    }

    /// The agent's answer to `datagram`, or nil when it sends none.
    package func reply(to datagram: [UInt8]) async -> [UInt8]? {
        await responder.reply(to: datagram, objects: objects, engineTime: Self.engineTime)
    }

    private static func requests(keyCache: USMKeyCache) -> [[UInt8]] {
        let get = PDU(
            kind: .getRequest, requestID: 1,
            variableBindings: [VariableBinding(oid: loadOID), VariableBinding(oid: textOID)])
        let next = PDU(kind: .getNextRequest, requestID: 2, variableBindings: [VariableBinding(oid: loadOID)])
        var bulk = PDU(kind: .getBulkRequest, requestID: 3, variableBindings: [VariableBinding(oid: loadOID)])
        bulk.errorIndex = 50
        let community = Array(Self.community.utf8)
        var seeds = [
            CommunityMessage(version: .v1, community: community, pdu: get).encoded(),
            CommunityMessage(version: .v2c, community: community, pdu: next).encoded(),
            CommunityMessage(version: .v2c, community: community, pdu: bulk).encoded(),
            SNMPv3Message(
                messageID: 9, flags: [.reportable], security: USMSecurityParameters(),
                payload: .plaintext(
                    ScopedPDU(
                        contextEngineID: [], pdu: PDU(kind: .getRequest, requestID: 4, variableBindings: [])))
            ).encoded(),
        ]
        let engine = USMCodec.Engine(id: engineID, boots: 1, time: engineTime)
        for user in users {
            for pdu in [get, bulk] {
                if let sealed = USMCodec.seal(
                    ScopedPDU(contextEngineID: engineID, pdu: pdu), messageID: 77, reportable: true,
                    user: user,
                    keys: keyCache.keys(for: user, engineID: engineID), engine: engine, salt: 42)
                {
                    seeds.append(sealed)
                }
            }
        }
        return seeds
    }
}

/// The client's side: every decoder a response from an agent goes through (message, PDU,
/// USM verification and decryption), with valid responses of every kind to mutate.
package struct SNMPResponseFuzzProbe: Sendable {
    private let user: USMUser
    private let keys: LocalizedKeys
    /// Well-formed responses and Reports, v1, v2c and v3 at every security level.
    package let seeds: [[UInt8]]

    package init() {
        let cache = USMKeyCache()
        let engineID = SNMPAgentFuzzProbe.engineID
        user = SNMPAgentFuzzProbe.users[2]
        keys = cache.keys(for: user, engineID: engineID)
        let values: [SNMPValue] = [
            .integer(-17), .string("alias.example.org=3,other.example.org=-1"), .null,
            .objectIdentifier(SNMPAgentFuzzProbe.loadOID), .ipAddress(192, 0, 2, 1), .counter32(7),
            .gauge32(8), .timeTicks(9), .opaque([1, 2, 3]), .counter64(1 << 50), .noSuchObject,
            .noSuchInstance, .endOfMibView,
        ]
        let bindings = values.enumerated().map { index, value in
            VariableBinding(oid: OID(arcs: [1, 3, 6, 1, 4, 1, 96, 255, UInt32(index)])!, value: value)
        }
        let response = PDU(kind: .response, requestID: 5, variableBindings: bindings)
        var failed = PDU(kind: .response, requestID: 6, variableBindings: Array(bindings.prefix(2)))
        failed.errorStatus = 5
        failed.errorIndex = 1
        let report = PDU(
            kind: .report, requestID: 7,
            variableBindings: [VariableBinding(oid: OID(".1.3.6.1.6.3.15.1.1.4.0")!, value: .counter32(1))])
        let engine = USMCodec.Engine(id: engineID, boots: 1, time: SNMPAgentFuzzProbe.engineTime)
        var seeds = [
            CommunityMessage(version: .v1, community: Array("public".utf8), pdu: response).encoded(),
            CommunityMessage(version: .v2c, community: Array("public".utf8), pdu: failed).encoded(),
            SNMPv3Message(
                messageID: 9, flags: [],
                security: USMSecurityParameters(engineID: engineID, engineBoots: 1, engineTime: 1),
                payload: .plaintext(ScopedPDU(contextEngineID: engineID, pdu: report))
            ).encoded(),
        ]
        for (pdu, reportable) in [(response, false), (report, false)] {
            for sealer in [user, SNMPAgentFuzzProbe.users[0]] {
                if let sealed = USMCodec.seal(
                    ScopedPDU(contextEngineID: engineID, pdu: pdu), messageID: 9, reportable: reportable,
                    user: sealer, keys: cache.keys(for: sealer, engineID: engineID), engine: engine, salt: 7)
                {
                    seeds.append(sealed)
                }
            }
        }
        self.seeds = seeds
    }

    /// Decodes `datagram` as the client does; the number of variable bindings read (0 when it
    /// is refused), so that the work cannot be optimised away.
    package func decode(_ datagram: [UInt8]) -> Int {
        switch CommunityMessage.version(of: datagram) {
        case 0, 1:
            return (try? CommunityMessage(decoding: datagram))?.pdu.variableBindings.count ?? 0
        case 3:
            guard let message = try? SNMPv3Message(decoding: datagram) else { return 0 }
            if message.flags.contains(.authenticated) || message.flags.contains(.privacy) {
                let scoped = try? USMCodec.open(message, bytes: datagram, user: user, keys: keys)
                return scoped?.pdu.variableBindings.count ?? 0
            }
            return message.scopedPDU?.pdu.variableBindings.count ?? 0
        default:
            return 0
        }
    }
}

/// The notification listener's side without a socket: `NotificationReceiver.receive`, with the
/// agent probe's engine, community and users, and valid v2c traps and informs, v3 informs at
/// every security level and a discovery probe to mutate.
package struct SNMPNotificationFuzzProbe: Sendable {
    private let receiver: NotificationReceiver
    private let source: SocketAddress
    /// Well-formed notifications of every kind the listener accepts.
    package let seeds: [[UInt8]]

    package init() {
        let keyCache = USMKeyCache()
        let engineID = SNMPAgentFuzzProbe.engineID
        // A literal address: cannot fail.
        source = try! SocketAddress(ipAddress: "127.0.0.1", port: 50_162)
        receiver = NotificationReceiver(
            configuration: SNMPNotificationListenerConfiguration(
                port: 0, users: SNMPAgentFuzzProbe.users, communities: [SNMPAgentFuzzProbe.community],
                engineID: engineID, random: { 0x0123_4567_89AB_CDEF }),
            keyCache: keyCache, counters: NotificationCounters())
        let bindings = SNMPNotification.bindings(
            upTime: 4_200, oid: SNMPAgentFuzzProbe.loadOID,
            [VariableBinding(oid: SNMPAgentFuzzProbe.textOID, value: .string("www.example.org=12"))])
        let inform = PDU(kind: .informRequest, requestID: 11, variableBindings: bindings)
        let community = Array(SNMPAgentFuzzProbe.community.utf8)
        var seeds = [
            CommunityMessage(
                version: .v2c, community: community,
                pdu: PDU(kind: .trap, requestID: 10, variableBindings: bindings)
            ).encoded(),
            CommunityMessage(version: .v2c, community: community, pdu: inform).encoded(),
            SNMPv3Message(
                messageID: 9, flags: [.reportable], security: USMSecurityParameters(),
                payload: .plaintext(
                    ScopedPDU(
                        contextEngineID: [], pdu: PDU(kind: .getRequest, requestID: 4, variableBindings: [])))
            ).encoded(),
        ]
        let engine = USMCodec.Engine(id: engineID, boots: 1, time: SNMPAgentFuzzProbe.engineTime)
        for user in SNMPAgentFuzzProbe.users {
            if let sealed = USMCodec.seal(
                ScopedPDU(contextEngineID: engineID, pdu: inform), messageID: 78, reportable: true,
                user: user,
                keys: keyCache.keys(for: user, engineID: engineID), engine: engine, salt: 43)
            {
                seeds.append(sealed)
            }
        }
        self.seeds = seeds
    }

    /// The size of what the listener makes of `datagram`: the Report's or acknowledgement's
    /// octets, or the notification's variable bindings; 0 when it is dropped.
    package func receive(_ datagram: [UInt8]) -> Int {
        switch receiver.receive(datagram, from: source, engineTime: SNMPAgentFuzzProbe.engineTime) {
        case .drop: return 0
        case .report(let report): return report.count
        case .deliver(let notification, let acknowledgement):
            return acknowledgement?.count ?? notification.variableBindings.count
        }
    }
}
