/// One option of an OPT record (RFC 6891 section 6.1.2), kept as code and opaque data so that
/// options this library does not know pass through unchanged.
public struct EDNSOption: Hashable, Sendable {
    public var code: UInt16
    public var data: [UInt8]

    public init(code: UInt16, data: [UInt8]) {
        self.code = code
        self.data = data
    }
}
