/// One answer to HAProxy's agent check: the single line lbclient writes before closing.
///
/// HAProxy reads words separated by blanks or commas up to the first CR or LF, and a health word
/// may be followed by ` #description`. The blank before `#` matters: HAProxy 2.6 reads
/// `down#reason` as one unknown word and changes nothing. A rendered line is always printable
/// ASCII, at most ``maximumLineLength`` bytes, ending with one `\n`.
public enum HAProxyAgentReply: Hashable, Sendable {
    /// Healthy: `up ready <weight>%`, the weight a percentage of the server's configured weight.
    case ready(weight: Int)
    /// Checks pass but the load says to take no new traffic: `up drain #<reason>`.
    case drain(reason: String)
    /// A check failed: `down #<reason>`.
    case down(reason: String)
    /// Nothing to say yet (the first evaluation is still running): an empty line, which HAProxy
    /// reads as "no change".
    case noChange

    /// Longest line written, newline included; HAProxy's check buffer is far larger.
    public static let maximumLineLength = 200

    /// The line as sent, ending with `\n`.
    public var line: String {
        let text: String
        switch self {
        case .ready(let weight):
            text = "up ready \(min(100, max(1, weight)))%"
        case .drain(let reason):
            text = "up drain #" + reason
        case .down(let reason):
            text = "down #" + reason
        case .noChange:
            text = ""
        }
        return Self.printable(text, limit: Self.maximumLineLength - 1) + "\n"
    }

    /// `text` with every byte outside printable ASCII replaced by `?` and runs of blanks kept,
    /// cut to `limit` bytes: a check's detail may quote a file name or a program's output.
    static func printable(_ text: String, limit: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(limit, text.utf8.count))
        for scalar in text.unicodeScalars {
            guard bytes.count < limit else { break }
            let value = scalar.value
            bytes.append((0x20...0x7E).contains(value) ? UInt8(value) : UInt8(ascii: "?"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
