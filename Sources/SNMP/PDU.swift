/// A protocol data unit (RFC 3416 section 3).
public struct PDU: Hashable, Sendable {
    public enum Kind: UInt8, Hashable, Sendable {
        case getRequest = 0xA0
        case getNextRequest = 0xA1
        case response = 0xA2
        case setRequest = 0xA3
        case getBulkRequest = 0xA5
        case informRequest = 0xA6
        case trap = 0xA7
        case report = 0xA8
    }

    public var kind: Kind
    public var requestID: Int32
    /// `error-status`; for GetBulkRequest, `non-repeaters`.
    public var errorStatus: Int
    /// `error-index`; for GetBulkRequest, `max-repetitions`.
    public var errorIndex: Int
    public var variableBindings: [VariableBinding]

    public init(
        kind: Kind, requestID: Int32, errorStatus: Int = 0, errorIndex: Int = 0,
        variableBindings: [VariableBinding]
    ) {
        self.kind = kind
        self.requestID = requestID
        self.errorStatus = errorStatus
        self.errorIndex = errorIndex
        self.variableBindings = variableBindings
    }

    /// A GetBulkRequest's `non-repeaters`.
    public var nonRepeaters: Int { errorStatus }
    /// A GetBulkRequest's `max-repetitions`.
    public var maxRepetitions: Int { errorIndex }

    func encode(into writer: inout BERWriter) {
        writer.writeConstructed(tag: kind.rawValue) { writer in
            writer.writeInteger(Int64(requestID))
            writer.writeInteger(Int64(errorStatus))
            writer.writeInteger(Int64(errorIndex))
            writer.writeConstructed(tag: BERTag.sequence) { writer in
                for binding in variableBindings {
                    writer.writeConstructed(tag: BERTag.sequence) { writer in
                        writer.writeOID(binding.oid)
                        binding.value.encode(into: &writer)
                    }
                }
            }
        }
    }

    /// The octets `encode(into:)` writes, computed without writing them.
    var encodedSize: Int {
        var list = 0
        for binding in variableBindings { list += binding.encodedSize }
        return BERWriter.elementSize(
            contentSize: BERWriter.elementSize(contentSize: BERWriter.signedContentSize(Int64(requestID)))
                + BERWriter.elementSize(contentSize: BERWriter.signedContentSize(Int64(errorStatus)))
                + BERWriter.elementSize(contentSize: BERWriter.signedContentSize(Int64(errorIndex)))
                + BERWriter.elementSize(contentSize: list))
    }

    static func decode(from reader: inout BERReader) throws(SNMPDecodingError) -> PDU {
        let start = reader.position
        let tag = try reader.peekTag()
        guard let kind = Kind(rawValue: tag) else { throw .unknownPDUType(tag) }
        var body = try reader.readConstructed(tag: tag)
        let requestID = try body.readInteger()
        guard let id = Int32(exactly: requestID) else { throw .badValue("request-id", offset: start) }
        let status = try body.readInteger()
        let index = try body.readInteger()
        guard (0...Int64(Int32.max)).contains(status), (0...Int64(Int32.max)).contains(index) else {
            throw .badValue("error-status or error-index", offset: start)
        }
        var list = try body.readConstructed(tag: BERTag.sequence)
        var bindings: [VariableBinding] = []
        while !list.isAtEnd {
            var binding = try list.readConstructed(tag: BERTag.sequence)
            let oid = try binding.readOID()
            let value = try SNMPValue.decode(from: &binding)
            guard binding.isAtEnd else { throw .trailingBytes(count: binding.remaining) }
            bindings.append(VariableBinding(oid: oid, value: value))
        }
        guard body.isAtEnd else { throw .trailingBytes(count: body.remaining) }
        return PDU(
            kind: kind, requestID: id, errorStatus: Int(status), errorIndex: Int(index),
            variableBindings: bindings)
    }
}

/// The `error-status` values of a response (RFC 3416 section 3).
public enum SNMPErrorStatus: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case noError = 0
    case tooBig, noSuchName, badValue, readOnly, genErr, noAccess, wrongType, wrongLength, wrongEncoding
    case wrongValue, noCreation, inconsistentValue, resourceUnavailable, commitFailed, undoFailed
    case authorizationError, notWritable, inconsistentName

    /// The RFC 3416 name of the status (`authorizationError`). Spelled out: interpolating
    /// `self` here would call this property again and never return.
    public var description: String {
        switch self {
        case .noError: "noError"
        case .tooBig: "tooBig"
        case .noSuchName: "noSuchName"
        case .badValue: "badValue"
        case .readOnly: "readOnly"
        case .genErr: "genErr"
        case .noAccess: "noAccess"
        case .wrongType: "wrongType"
        case .wrongLength: "wrongLength"
        case .wrongEncoding: "wrongEncoding"
        case .wrongValue: "wrongValue"
        case .noCreation: "noCreation"
        case .inconsistentValue: "inconsistentValue"
        case .resourceUnavailable: "resourceUnavailable"
        case .commitFailed: "commitFailed"
        case .undoFailed: "undoFailed"
        case .authorizationError: "authorizationError"
        case .notWritable: "notWritable"
        case .inconsistentName: "inconsistentName"
        }
    }
}
