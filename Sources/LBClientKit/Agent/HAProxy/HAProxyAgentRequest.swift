/// What HAProxy sent before reading the answer: its `agent-send` string, if it has one.
///
/// The request is the first line, blanks trimmed. Nothing at all (no `agent-send`) asks about
/// the node as a whole; an alias name asks about that alias. Anything else is refused with a
/// reason, never trusted: the port may be reached by anyone.
public enum HAProxyAgentRequest: Hashable, Sendable {
    case node
    case alias(String)
    case invalid(String)

    /// Longest request read; longer input is invalid (an alias name is at most 253 bytes).
    public static let maximumLength = 256

    /// Parses the bytes received before the line ended, the peer closed or the wait ran out.
    public init(_ bytes: some Collection<UInt8>) {
        guard bytes.count <= Self.maximumLength else {
            self = .invalid("agent-send longer than \(Self.maximumLength) bytes")
            return
        }
        var line = Array(bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
        let blanks: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t")]
        while let first = line.first, blanks.contains(first) { line.removeFirst() }
        while let last = line.last, blanks.contains(last) { line.removeLast() }
        if line.isEmpty {
            self = .node
        } else if line.count <= 253, line.allSatisfy(Self.isAliasByte) {
            self = .alias(String(decoding: line, as: UTF8.self).lowercased())
        } else {
            self = .invalid("agent-send is not an alias name")
        }
    }

    private static func isAliasByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
