import Testing

@testable import SNMP

/// The allocation-free `BERWriter` and its size functions against a copy of the writer as it was
/// before (array per length, integer and arc), over many random values: the bytes must be equal.
/// Decoding is compared the same way for OIDs, the decoder that changed.
@Suite struct BERCodecDifferentialTests {
    @Test func integersEncodeAsBefore() {
        var random = SplitMix64(seed: 1)
        var values: [Int64] = [0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769]
        values += [Int64.min, Int64.max, Int64.min + 1, Int64.max - 1, Int64(Int32.min), Int64(Int32.max)]
        for _ in 0..<20_000 { values.append(random.integer()) }
        for value in values {
            var new = BERWriter()
            new.writeInteger(value)
            new.writeInteger(value, tag: BERTag.counter32)
            var old = ReferenceBERWriter()
            old.writeInteger(value)
            old.writeInteger(value, tag: BERTag.counter32)
            #expect(new.bytes == old.bytes, "\(value)")
            #expect(
                BERWriter.elementSize(contentSize: BERWriter.signedContentSize(value)) * 2 == old.bytes.count)
        }
    }

    @Test func unsignedIntegersEncodeAsBefore() {
        var random = SplitMix64(seed: 2)
        var values: [UInt64] = [0, 1, 127, 128, 255, 256, 0x7FFF_FFFF, 0x8000_0000, UInt64(UInt32.max)]
        values += [UInt64.max, UInt64.max - 1, UInt64(Int64.max), UInt64(Int64.max) + 1]
        for _ in 0..<20_000 { values.append(UInt64(bitPattern: random.integer())) }
        for value in values {
            var new = BERWriter()
            new.writeUnsigned(value, tag: BERTag.counter64)
            var old = ReferenceBERWriter()
            old.writeUnsigned(value, tag: BERTag.counter64)
            #expect(new.bytes == old.bytes, "\(value)")
            #expect(
                BERWriter.elementSize(contentSize: BERWriter.unsignedContentSize(value)) == old.bytes.count)
        }
    }

    @Test func oidsEncodeAsBefore() {
        var random = SplitMix64(seed: 3)
        var oids: [OID] = ["0.0", "1.39", "2.40", "2.4294967295", "2.4294967215", "1.3.6.1.4.1.4294967295"]
            .map {
                OID($0)!
            }
        for _ in 0..<5_000 { oids.append(random.oid()) }
        for oid in oids {
            var new = BERWriter()
            new.writeOID(oid)
            var old = ReferenceBERWriter()
            old.writeOID(oid)
            #expect(new.bytes == old.bytes, "\(oid)")
            #expect(BERWriter.elementSize(contentSize: BERWriter.oidContentSize(oid)) == old.bytes.count)
        }
    }

    @Test func octetStringsOfEveryLengthClassEncodeAsBefore() {
        var random = SplitMix64(seed: 4)
        for length in [0, 1, 127, 128, 129, 255, 256, 257, 65535, 65536, 70_000] {
            let contents = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var new = BERWriter()
            new.writeOctetString(contents)
            var old = ReferenceBERWriter()
            old.writeOctetString(contents)
            #expect(new.bytes == old.bytes, "length \(length)")
            #expect(BERWriter.elementSize(contentSize: length) == old.bytes.count)
        }
    }

    @Test func nestedConstructedElementsWithLongLengthsEncodeAsBefore() {
        var random = SplitMix64(seed: 5)
        for _ in 0..<300 {
            let tree = random.tree(depth: 0)
            var new = BERWriter()
            tree.write(into: &new)
            var old = ReferenceBERWriter()
            tree.write(into: &old)
            #expect(new.bytes == old.bytes)
        }
        // Lengths at each boundary of the long form, nested so the moved contents hold lengths.
        for length in [127, 128, 255, 256, 65535, 65536] {
            let tree = BERTree.constructed(
                0x30,
                [.constructed(0xA2, [.octets(0x04, [UInt8](repeating: 7, count: length))]), .integer(-1)])
            var new = BERWriter()
            tree.write(into: &new)
            var old = ReferenceBERWriter()
            tree.write(into: &old)
            #expect(new.bytes == old.bytes, "length \(length)")
        }
    }

    @Test func messagesEncodeAsBeforeAndSizesMatch() {
        var random = SplitMix64(seed: 6)
        for _ in 0..<2_000 {
            let pdu = random.pdu()
            for binding in pdu.variableBindings {
                #expect(AgentPDUResponder.encodedSize(of: binding) == ReferenceBERWriter.bindingSize(binding))
            }
            var reference = ReferenceBERWriter()
            reference.writePDU(pdu)
            #expect(pdu.encodedSize == reference.bytes.count)

            let community = random.octets(maximum: 40)
            let version: SNMPVersion = random.next() % 2 == 0 ? .v1 : .v2c
            let message = CommunityMessage(version: version, community: community, pdu: pdu)
            #expect(message.encoded() == ReferenceBERWriter.community(message))

            let security = USMSecurityParameters(
                engineID: random.octets(maximum: 32), engineBoots: Int32(truncatingIfNeeded: random.next()),
                engineTime: Int32(truncatingIfNeeded: random.next()), userName: random.octets(maximum: 32),
                authenticationParameters: random.octets(maximum: 48),
                privacyParameters: random.octets(maximum: 8))
            let scoped = ScopedPDU(
                contextEngineID: random.octets(maximum: 32), contextName: random.octets(maximum: 8), pdu: pdu)
            let payloads: [SNMPv3Message.Payload] = [
                .plaintext(scoped), .encrypted(random.octets(maximum: 300)),
            ]
            for payload in payloads {
                let v3 = SNMPv3Message(
                    messageID: Int32(truncatingIfNeeded: random.next()),
                    maxSize: Int32(truncatingIfNeeded: random.next()),
                    flags: .init(rawValue: UInt8(random.next() % 8)),
                    security: security, payload: payload)
                #expect(v3.encoded() == ReferenceBERWriter.v3(v3))
            }
            #expect(scoped.encoded() == ReferenceBERWriter.scoped(scoped))
        }
    }

    @Test func oidContentsDecodeAsBefore() {
        var random = SplitMix64(seed: 7)
        var inputs: [[UInt8]] = [
            [], [0x80], [0x2B, 0x80, 0x01], [0x2B, 0x81], [0x90, 0x80, 0x80, 0x80, 0x50],
        ]
        for _ in 0..<50_000 {
            // Biased towards OID-like contents: small octets, some continuation bits.
            let count = Int(random.next() % 24)
            inputs.append(
                (0..<count).map { _ in
                    let octet = UInt8(truncatingIfNeeded: random.next())
                    return random.next() % 3 == 0 ? octet : octet & 0x7F
                })
        }
        for _ in 0..<2_000 {
            var encoded = BERWriter()
            encoded.writeOID(random.oid())
            inputs.append(Array(encoded.bytes.dropFirst(2)))
        }
        inputs.append([UInt8](repeating: 0x01, count: 200))
        for contents in inputs {
            let new = Result { () throws(SNMPDecodingError) in
                try BERReader.objectIdentifier(contents[...], offset: 9)
            }
            let old = Result { () throws(SNMPDecodingError) in
                try referenceObjectIdentifier(contents[...], offset: 9)
            }
            #expect(new == old, "\(contents)")
        }
    }

    @Test func mutatedMessagesDecodeToATypedErrorOrAStableValue() throws {
        var random = SplitMix64(seed: 8)
        for _ in 0..<3_000 {
            let message = CommunityMessage(
                version: .v2c, community: random.octets(maximum: 8), pdu: random.pdu())
            let original = message.encoded()
            var bytes = original
            #expect(try CommunityMessage(decoding: bytes) == message)
            for _ in 0..<4 {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: random.next())
                let decoded = Result { () throws(SNMPDecodingError) in try CommunityMessage(decoding: bytes) }
                // Whatever decodes re-encodes to a message that decodes to the same value.
                if case .success(let value) = decoded {
                    #expect(try CommunityMessage(decoding: value.encoded()) == value)
                }
            }
            let cut = Array(original.prefix(Int(random.next() % UInt64(original.count))))
            #expect(throws: SNMPDecodingError.self) { try CommunityMessage(decoding: cut) }
        }
    }
}

extension BERCodecDifferentialTests {
    @Test func mutatedV3MessagesDecodeToATypedErrorOrAStableValue() throws {
        var random = SplitMix64(seed: 9)
        for _ in 0..<3_000 {
            let security = USMSecurityParameters(
                engineID: [UInt8](repeating: 0x80, count: 5 + Int(random.next() % 28)), engineBoots: 1,
                engineTime: Int32(random.next() % 1000), userName: random.octets(maximum: 32),
                authenticationParameters: random.octets(maximum: 24),
                privacyParameters: random.octets(maximum: 8))
            let payload: SNMPv3Message.Payload =
                random.next() % 2 == 0
                ? .encrypted(random.octets(maximum: 80))
                : .plaintext(ScopedPDU(contextEngineID: random.octets(maximum: 8), pdu: random.pdu()))
            let flags: SNMPv3Message.Flags =
                random.next() % 2 == 0 ? [.authenticated, .privacy] : [.reportable]
            let message = SNMPv3Message(
                messageID: Int32(random.next() % 100_000), flags: flags, security: security, payload: payload)
            let original = message.encoded()
            #expect(try SNMPv3Message(decoding: original) == message)
            var bytes = original
            for _ in 0..<4 {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: random.next())
                let decoded = Result { () throws(SNMPDecodingError) in try SNMPv3Message(decoding: bytes) }
                if case .success(let value) = decoded {
                    #expect(try SNMPv3Message(decoding: value.encoded()) == value)
                }
            }
            let cut = Array(original.prefix(Int(random.next() % UInt64(original.count))))
            #expect(throws: SNMPDecodingError.self) { try SNMPv3Message(decoding: cut) }
        }
    }
}

// MARK: - The writer as it was (reference for the differential tests)

/// `BERWriter` before it stopped allocating, kept verbatim as the reference.
private struct ReferenceBERWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeConstructed(tag: UInt8, _ body: (inout ReferenceBERWriter) -> Void) {
        bytes.append(tag)
        let lengthPosition = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthPosition - 1
        let encoded = Self.length(length)
        bytes[lengthPosition] = encoded[0]
        if encoded.count > 1 {
            bytes.insert(contentsOf: encoded.dropFirst(), at: lengthPosition + 1)
        }
    }

    mutating func write(tag: UInt8, contents: some Collection<UInt8>) {
        bytes.append(tag)
        bytes.append(contentsOf: Self.length(contents.count))
        bytes.append(contentsOf: contents)
    }

    mutating func writeInteger(_ value: Int64, tag: UInt8 = BERTag.integer) {
        write(tag: tag, contents: Self.signed(value))
    }

    mutating func writeUnsigned(_ value: UInt64, tag: UInt8) {
        var octets: [UInt8] = []
        var rest = value
        repeat {
            octets.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        } while rest != 0
        if octets.last! & 0x80 != 0 { octets.append(0) }
        write(tag: tag, contents: octets.reversed())
    }

    mutating func writeOctetString(_ value: some Collection<UInt8>) {
        write(tag: BERTag.octetString, contents: value)
    }

    mutating func writeNull(tag: UInt8 = BERTag.null) {
        write(tag: tag, contents: [])
    }

    mutating func writeOID(_ oid: OID) {
        var contents: [UInt8] = []
        Self.appendBase128(UInt64(oid.arcs[0]) * 40 + UInt64(oid.arcs[1]), to: &contents)
        for arc in oid.arcs.dropFirst(2) {
            Self.appendBase128(UInt64(arc), to: &contents)
        }
        write(tag: BERTag.objectIdentifier, contents: contents)
    }

    static func length(_ length: Int) -> [UInt8] {
        if length < 0x80 { return [UInt8(length)] }
        var octets: [UInt8] = []
        var rest = length
        while rest > 0 {
            octets.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
        return [0x80 | UInt8(octets.count)] + octets.reversed()
    }

    static func signed(_ value: Int64) -> [UInt8] {
        var octets: [UInt8] = []
        var rest = value
        while true {
            let octet = UInt8(truncatingIfNeeded: rest)
            octets.append(octet)
            rest >>= 8
            if (rest == 0 && octet & 0x80 == 0) || (rest == -1 && octet & 0x80 != 0) { break }
        }
        return octets.reversed()
    }

    private static func appendBase128(_ value: UInt64, to contents: inout [UInt8]) {
        var groups: [UInt8] = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            groups.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        contents.append(contentsOf: groups.reversed())
    }

    // The message encoders as they were, over this writer.

    mutating func writeValue(_ value: SNMPValue) {
        switch value {
        case .integer(let value): writeInteger(Int64(value))
        case .octetString(let bytes): writeOctetString(bytes)
        case .null: writeNull()
        case .objectIdentifier(let oid): writeOID(oid)
        case .ipAddress(let a, let b, let c, let d): write(tag: BERTag.ipAddress, contents: [a, b, c, d])
        case .counter32(let value): writeUnsigned(UInt64(value), tag: BERTag.counter32)
        case .gauge32(let value): writeUnsigned(UInt64(value), tag: BERTag.gauge32)
        case .timeTicks(let value): writeUnsigned(UInt64(value), tag: BERTag.timeTicks)
        case .opaque(let bytes): write(tag: BERTag.opaque, contents: bytes)
        case .counter64(let value): writeUnsigned(value, tag: BERTag.counter64)
        case .noSuchObject: writeNull(tag: BERTag.noSuchObject)
        case .noSuchInstance: writeNull(tag: BERTag.noSuchInstance)
        case .endOfMibView: writeNull(tag: BERTag.endOfMibView)
        }
    }

    mutating func writePDU(_ pdu: PDU) {
        writeConstructed(tag: pdu.kind.rawValue) { writer in
            writer.writeInteger(Int64(pdu.requestID))
            writer.writeInteger(Int64(pdu.errorStatus))
            writer.writeInteger(Int64(pdu.errorIndex))
            writer.writeConstructed(tag: BERTag.sequence) { writer in
                for binding in pdu.variableBindings {
                    writer.writeConstructed(tag: BERTag.sequence) { writer in
                        writer.writeOID(binding.oid)
                        writer.writeValue(binding.value)
                    }
                }
            }
        }
    }

    static func bindingSize(_ binding: VariableBinding) -> Int {
        var writer = ReferenceBERWriter()
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeOID(binding.oid)
            writer.writeValue(binding.value)
        }
        return writer.bytes.count
    }

    static func community(_ message: CommunityMessage) -> [UInt8] {
        var writer = ReferenceBERWriter()
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeInteger(Int64(message.version.wireValue))
            writer.writeOctetString(message.community)
            writer.writePDU(message.pdu)
        }
        return writer.bytes
    }

    mutating func writeScoped(_ scoped: ScopedPDU) {
        writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeOctetString(scoped.contextEngineID)
            writer.writeOctetString(scoped.contextName)
            writer.writePDU(scoped.pdu)
        }
    }

    static func scoped(_ scoped: ScopedPDU) -> [UInt8] {
        var writer = ReferenceBERWriter()
        writer.writeScoped(scoped)
        return writer.bytes
    }

    static func security(_ security: USMSecurityParameters) -> [UInt8] {
        var writer = ReferenceBERWriter()
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeOctetString(security.engineID)
            writer.writeInteger(Int64(security.engineBoots))
            writer.writeInteger(Int64(security.engineTime))
            writer.writeOctetString(security.userName)
            writer.writeOctetString(security.authenticationParameters)
            writer.writeOctetString(security.privacyParameters)
        }
        return writer.bytes
    }

    static func v3(_ message: SNMPv3Message) -> [UInt8] {
        var writer = ReferenceBERWriter()
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeInteger(3)
            writer.writeConstructed(tag: BERTag.sequence) { writer in
                writer.writeInteger(Int64(message.messageID))
                writer.writeInteger(Int64(message.maxSize))
                writer.writeOctetString([message.flags.rawValue])
                writer.writeInteger(Int64(SNMPv3Message.userSecurityModel))
            }
            writer.writeOctetString(security(message.security))
            switch message.payload {
            case .plaintext(let scoped): writer.writeScoped(scoped)
            case .encrypted(let bytes): writer.writeOctetString(bytes)
            }
        }
        return writer.bytes
    }
}

/// `BERReader.objectIdentifier` before it reserved its arcs, kept verbatim as the reference.
private func referenceObjectIdentifier(_ contents: ArraySlice<UInt8>, offset: Int) throws(SNMPDecodingError)
    -> OID
{
    guard !contents.isEmpty, contents.last! & 0x80 == 0 else { throw .badValue("OID", offset: offset) }
    var arcs: [UInt32] = []
    var value: UInt64 = 0
    var first = true
    for byte in contents {
        if value == 0 && byte == 0x80 { throw .badValue("OID", offset: offset) }
        value = value << 7 | UInt64(byte & 0x7F)
        guard value <= UInt64(UInt32.max) + 80 else { throw .badValue("OID arc", offset: offset) }
        if byte & 0x80 == 0 {
            if first {
                let top = min(value / 40, 2)
                arcs.append(UInt32(top))
                let second = value - top * 40
                guard second <= UInt64(UInt32.max) else { throw .badValue("OID arc", offset: offset) }
                arcs.append(UInt32(second))
                first = false
            } else {
                guard value <= UInt64(UInt32.max) else { throw .badValue("OID arc", offset: offset) }
                arcs.append(UInt32(value))
            }
            value = 0
        }
    }
    guard let oid = OID(arcs: arcs) else { throw .badValue("OID", offset: offset) }
    return oid
}

// MARK: - Random inputs

/// A random tree of BER elements, written the same way by both writers.
private indirect enum BERTree {
    case constructed(UInt8, [BERTree])
    case octets(UInt8, [UInt8])
    case integer(Int64)
    case unsigned(UInt64)
    case oid(OID)
    case null

    func write(into writer: inout BERWriter) {
        switch self {
        case .constructed(let tag, let children):
            writer.writeConstructed(tag: tag) { writer in
                for child in children { child.write(into: &writer) }
            }
        case .octets(let tag, let bytes): writer.write(tag: tag, contents: bytes)
        case .integer(let value): writer.writeInteger(value)
        case .unsigned(let value): writer.writeUnsigned(value, tag: BERTag.counter64)
        case .oid(let oid): writer.writeOID(oid)
        case .null: writer.writeNull()
        }
    }

    func write(into writer: inout ReferenceBERWriter) {
        switch self {
        case .constructed(let tag, let children):
            writer.writeConstructed(tag: tag) { writer in
                for child in children { child.write(into: &writer) }
            }
        case .octets(let tag, let bytes): writer.write(tag: tag, contents: bytes)
        case .integer(let value): writer.writeInteger(value)
        case .unsigned(let value): writer.writeUnsigned(value, tag: BERTag.counter64)
        case .oid(let oid): writer.writeOID(oid)
        case .null: writer.writeNull()
        }
    }
}

/// A seeded generator, so a failure replays.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An integer of a random bit width, so every octet count is common.
    mutating func integer() -> Int64 {
        let bits = next() % 64
        return Int64(bitPattern: next()) >> bits
    }

    mutating func arc() -> UInt32 {
        UInt32(truncatingIfNeeded: next() >> (next() % 64))
    }

    mutating func oid() -> OID {
        let top = UInt32(next() % 3)
        let second = top == 2 ? arc() : UInt32(next() % 40)
        let count = Int(next() % 20)
        return OID(arcs: [top, second] + (0..<count).map { _ in arc() })!
    }

    mutating func octets(maximum: Int) -> [UInt8] {
        (0..<Int(next() % UInt64(maximum + 1))).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    mutating func value() -> SNMPValue {
        switch next() % 13 {
        case 0: return .integer(Int32(truncatingIfNeeded: integer()))
        case 1: return .octetString(next() % 8 == 0 ? octets(maximum: 300) : octets(maximum: 40))
        case 2: return .null
        case 3: return .objectIdentifier(oid())
        case 4:
            let a = UInt8(truncatingIfNeeded: next())
            return .ipAddress(a, a &+ 1, a &+ 2, a &+ 3)
        case 5: return .counter32(UInt32(truncatingIfNeeded: integer()))
        case 6: return .gauge32(UInt32(truncatingIfNeeded: integer()))
        case 7: return .timeTicks(UInt32(truncatingIfNeeded: integer()))
        case 8: return .opaque(octets(maximum: 20))
        case 9: return .counter64(UInt64(bitPattern: integer()))
        case 10: return .noSuchObject
        case 11: return .noSuchInstance
        default: return .endOfMibView
        }
    }

    mutating func pdu() -> PDU {
        let kinds: [PDU.Kind] = [
            .getRequest, .getNextRequest, .response, .setRequest, .getBulkRequest, .report,
        ]
        let count = Int(next() % 12)
        return PDU(
            kind: kinds[Int(next() % UInt64(kinds.count))], requestID: Int32(truncatingIfNeeded: integer()),
            errorStatus: Int(next() % 19), errorIndex: Int(next() % 200),
            variableBindings: (0..<count).map { _ in VariableBinding(oid: oid(), value: value()) })
    }

    mutating func tree(depth: Int) -> BERTree {
        let choice = depth >= 5 ? 1 + next() % 5 : next() % 6
        switch choice {
        case 0:
            let count = Int(next() % 6)
            return .constructed(0x30, (0..<count).map { _ in tree(depth: depth + 1) })
        case 1: return .octets(0x04, octets(maximum: next() % 4 == 0 ? 700 : 60))
        case 2: return .integer(integer())
        case 3: return .unsigned(UInt64(bitPattern: integer()))
        case 4: return .oid(oid())
        default: return .null
        }
    }
}
