/// One runtime API command and the answer that means it worked.
public struct HAProxyCommand: Hashable, Sendable, CustomStringConvertible {
    /// What a successful answer looks like.
    public enum Success: Hashable, Sendable {
        /// No text at all (`set server ... state`, `set server ... weight`).
        case empty
        /// Text starting with one of these.
        case startsWith([String])
    }

    public var text: String
    public var success: Success

    public init(_ text: String, success: Success = .empty) {
        self.text = text
        self.success = success
    }

    public var description: String { text }

    /// Throws `.rejected` with HAProxy's words when `answer` is not a success.
    public func check(_ answer: String) throws(HAProxyRuntimeError) {
        let trimmed = answer.trimmingPrefix(while: \.isWhitespace)
        let succeeded: Bool
        switch success {
        case .empty: succeeded = trimmed.isEmpty
        case .startsWith(let prefixes): succeeded = prefixes.contains { trimmed.hasPrefix($0) }
        }
        guard succeeded else {
            let words = trimmed.split(separator: "\n").prefix(2).joined(separator: " ").prefix(200)
            throw HAProxyRuntimeError(.rejected, "HAProxy refused '\(text)': \(words)")
        }
    }

    static func setState(_ server: String, _ state: String) -> HAProxyCommand {
        HAProxyCommand("set server \(server) state \(state)")
    }

    static func setWeight(_ server: String, _ weight: Int) -> HAProxyCommand {
        HAProxyCommand("set server \(server) weight \(weight)")
    }

    static func setAddress(_ server: String, _ address: String, port: Int) -> HAProxyCommand {
        HAProxyCommand(
            "set server \(server) addr \(address) port \(port)",
            success: .startsWith(["IP changed", "no need to change", "port changed", "IP and port changed"]))
    }

    static func add(_ server: String, _ address: String, port: Int, weight: Int) -> HAProxyCommand {
        let host = address.contains(":") ? "[\(address)]" : address
        return HAProxyCommand(
            "add server \(server) \(host):\(port) weight \(weight)",
            success: .startsWith(["New server registered"]))
    }

    static func delete(_ server: String) -> HAProxyCommand {
        HAProxyCommand("del server \(server)", success: .startsWith(["Server deleted"]))
    }
}
