/// An SNMPv3 message with the User-based Security Model (RFC 3412 section 6, RFC 3414 section 2.4).
///
/// The scoped PDU is either in clear or encrypted; `USM` turns one into the other and signs and
/// verifies the whole message.
public struct SNMPv3Message: Hashable, Sendable {
    /// `msgFlags`.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let authenticated = Flags(rawValue: 1)
        public static let privacy = Flags(rawValue: 2)
        public static let reportable = Flags(rawValue: 4)
    }

    /// The scoped PDU in clear, or its encryption.
    public enum Payload: Hashable, Sendable {
        case plaintext(ScopedPDU)
        case encrypted([UInt8])
    }

    /// The User-based Security Model's number (RFC 3411).
    public static let userSecurityModel = 3

    public var messageID: Int32
    public var maxSize: Int32
    public var flags: Flags
    public var security: USMSecurityParameters
    public var payload: Payload

    public init(
        messageID: Int32, maxSize: Int32 = 65_507, flags: Flags, security: USMSecurityParameters,
        payload: Payload
    ) {
        self.messageID = messageID
        self.maxSize = maxSize
        self.flags = flags
        self.security = security
        self.payload = payload
    }

    /// The scoped PDU when it is in clear.
    public var scopedPDU: ScopedPDU? {
        if case .plaintext(let scoped) = payload { return scoped }
        return nil
    }

    public func encoded() -> [UInt8] {
        // Room for the header and the security parameters' fixed parts (under 64 octets) and the
        // variable parts, so the message is one allocation.
        let payloadSize: Int
        switch payload {
        case .plaintext(let scoped):
            payloadSize = 8 + scoped.contextEngineID.count + scoped.contextName.count + scoped.pdu.encodedSize
        case .encrypted(let bytes): payloadSize = 4 + bytes.count
        }
        var writer = BERWriter(
            capacity: 64 + security.engineID.count + security.userName.count
                + security.authenticationParameters.count + security.privacyParameters.count + payloadSize)
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeInteger(3)
            writer.writeConstructed(tag: BERTag.sequence) { writer in
                writer.writeInteger(Int64(messageID))
                writer.writeInteger(Int64(maxSize))
                writer.writeOctetString(CollectionOfOne(flags.rawValue))
                writer.writeInteger(Int64(Self.userSecurityModel))
            }
            // The OCTET STRING's contents are the encoded parameters: written in place.
            writer.writeConstructed(tag: BERTag.octetString) { writer in security.encode(into: &writer) }
            switch payload {
            case .plaintext(let scoped): scoped.encode(into: &writer)
            case .encrypted(let bytes): writer.writeOctetString(bytes)
            }
        }
        return writer.bytes
    }

    /// Decodes a whole datagram.
    public init(decoding bytes: [UInt8]) throws(SNMPDecodingError) {
        var outer = BERReader(bytes)
        var message = try outer.readConstructed(tag: BERTag.sequence)
        guard outer.isAtEnd else { throw .trailingBytes(count: outer.remaining) }
        let version = try message.readInteger()
        guard version == 3 else { throw .unsupportedVersion(Int(clamping: version)) }
        let headerStart = message.position
        var header = try message.readConstructed(tag: BERTag.sequence)
        let id = try header.readInteger()
        let size = try header.readInteger()
        // Read as a range: one octet needs no array of its own.
        let flagOctets = header.slice(try header.read(tag: BERTag.octetString))
        let model = try header.readInteger()
        guard header.isAtEnd else { throw .trailingBytes(count: header.remaining) }
        guard let messageID = Int32(exactly: id), messageID >= 0 else {
            throw .badValue("msgID", offset: headerStart)
        }
        guard let maxSize = Int32(exactly: size), maxSize >= 484 else {
            throw .badValue("msgMaxSize", offset: headerStart)
        }
        guard flagOctets.count == 1 else { throw .badValue("msgFlags", offset: headerStart) }
        let flags = Flags(rawValue: flagOctets.first! & 0x07)
        // Privacy without authentication is not a valid combination (RFC 3412 section 7.2 step 5d).
        guard !flags.contains(.privacy) || flags.contains(.authenticated) else {
            throw .badValue("msgFlags (privacy without authentication)", offset: headerStart)
        }
        guard model == Int64(Self.userSecurityModel) else {
            throw .badValue("msgSecurityModel \(model) (only USM, 3, is supported)", offset: headerStart)
        }
        let securityBytes = try message.read(tag: BERTag.octetString)
        let security = try USMSecurityParameters(
            decoding: message.slice(securityBytes), offset: securityBytes.lowerBound)
        let payload: Payload
        if try message.peekTag() == BERTag.octetString {
            payload = .encrypted(try message.readOctetString())
        } else {
            payload = .plaintext(try ScopedPDU.decode(from: &message))
        }
        guard message.isAtEnd else { throw .trailingBytes(count: message.remaining) }
        self.init(messageID: messageID, maxSize: maxSize, flags: flags, security: security, payload: payload)
    }

    /// Where `msgAuthenticationParameters`' contents sit in an encoded message: HMACs are computed
    /// with these octets zeroed and then written there.
    public static func authenticationParametersRange(in bytes: [UInt8]) throws(SNMPDecodingError) -> Range<
        Int
    > {
        var outer = BERReader(bytes)
        var message = try outer.readConstructed(tag: BERTag.sequence)
        _ = try message.readInteger()
        _ = try message.read(tag: BERTag.sequence)
        var security = try message.readConstructed(tag: BERTag.octetString)
        var parameters = try security.readConstructed(tag: BERTag.sequence)
        _ = try parameters.read(tag: BERTag.octetString)
        _ = try parameters.read(tag: BERTag.integer)
        _ = try parameters.read(tag: BERTag.integer)
        _ = try parameters.read(tag: BERTag.octetString)
        return try parameters.read(tag: BERTag.octetString)
    }
}

/// `UsmSecurityParameters` (RFC 3414 section 2.4).
public struct USMSecurityParameters: Hashable, Sendable {
    public var engineID: [UInt8]
    public var engineBoots: Int32
    public var engineTime: Int32
    public var userName: [UInt8]
    public var authenticationParameters: [UInt8]
    public var privacyParameters: [UInt8]

    public init(
        engineID: [UInt8] = [], engineBoots: Int32 = 0, engineTime: Int32 = 0, userName: [UInt8] = [],
        authenticationParameters: [UInt8] = [], privacyParameters: [UInt8] = []
    ) {
        self.engineID = engineID
        self.engineBoots = engineBoots
        self.engineTime = engineTime
        self.userName = userName
        self.authenticationParameters = authenticationParameters
        self.privacyParameters = privacyParameters
    }

    func encoded() -> [UInt8] {
        var writer = BERWriter()
        encode(into: &writer)
        return writer.bytes
    }

    func encode(into writer: inout BERWriter) {
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeOctetString(engineID)
            writer.writeInteger(Int64(engineBoots))
            writer.writeInteger(Int64(engineTime))
            writer.writeOctetString(userName)
            writer.writeOctetString(authenticationParameters)
            writer.writeOctetString(privacyParameters)
        }
    }

    init(decoding bytes: ArraySlice<UInt8>, offset: Int) throws(SNMPDecodingError) {
        var outer = BERReader(Array(bytes))
        var reader = try outer.readConstructed(tag: BERTag.sequence)
        guard outer.isAtEnd else { throw .trailingBytes(count: outer.remaining) }
        engineID = try reader.readOctetString()
        let boots = try reader.readInteger()
        let time = try reader.readInteger()
        guard let boots32 = Int32(exactly: boots), boots32 >= 0, let time32 = Int32(exactly: time),
            time32 >= 0
        else { throw .badValue("msgAuthoritativeEngineBoots/Time", offset: offset) }
        engineBoots = boots32
        engineTime = time32
        userName = try reader.readOctetString()
        authenticationParameters = try reader.readOctetString()
        privacyParameters = try reader.readOctetString()
        guard reader.isAtEnd else { throw .trailingBytes(count: reader.remaining) }
        // RFC 3414 bounds: engine IDs of 5 to 32 octets (or empty, for discovery), names up to 32.
        guard engineID.isEmpty || (5...32).contains(engineID.count), userName.count <= 32 else {
            throw .badValue("msgAuthoritativeEngineID or msgUserName length", offset: offset)
        }
    }
}

/// A PDU with its context (RFC 3412 section 6).
public struct ScopedPDU: Hashable, Sendable {
    public var contextEngineID: [UInt8]
    public var contextName: [UInt8]
    public var pdu: PDU

    public init(contextEngineID: [UInt8], contextName: [UInt8] = [], pdu: PDU) {
        self.contextEngineID = contextEngineID
        self.contextName = contextName
        self.pdu = pdu
    }

    func encode(into writer: inout BERWriter) {
        writer.writeConstructed(tag: BERTag.sequence) { writer in
            writer.writeOctetString(contextEngineID)
            writer.writeOctetString(contextName)
            pdu.encode(into: &writer)
        }
    }

    public func encoded() -> [UInt8] {
        var writer = BERWriter(capacity: 8 + contextEngineID.count + contextName.count + pdu.encodedSize)
        encode(into: &writer)
        return writer.bytes
    }

    static func decode(from reader: inout BERReader) throws(SNMPDecodingError) -> ScopedPDU {
        var scoped = try reader.readConstructed(tag: BERTag.sequence)
        let engineID = try scoped.readOctetString()
        let name = try scoped.readOctetString()
        let pdu = try PDU.decode(from: &scoped)
        guard scoped.isAtEnd else { throw .trailingBytes(count: scoped.remaining) }
        return ScopedPDU(contextEngineID: engineID, contextName: name, pdu: pdu)
    }

    /// Decodes a decrypted scoped PDU. Block ciphers may leave padding after it, which is ignored
    /// (RFC 3414 section 8.1.1.2 for DES; AES-CFB adds none, but agents differ).
    public init(decrypted bytes: [UInt8]) throws(SNMPDecodingError) {
        var reader = BERReader(bytes)
        self = try Self.decode(from: &reader)
    }
}
