/// Why an `SNMPAgent` could not start. Socket errors (address in use...) come from SwiftNIO as
/// they are.
public struct SNMPAgentError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The engine ID is not 5 to 32 octets long (RFC 3411 SnmpEngineID).
        case invalidEngineID
        /// snmpEngineBoots is negative (RFC 3414 allows 0...2147483647).
        case invalidEngineBoots
        /// A USM user has an empty password, from which no key can be made.
        case invalidUser
        /// The port is not in 0...65535.
        case invalidPort
        /// `maximumConcurrentRequests` or `requestTimeout` is not positive.
        case invalidLimit
        /// `start()` was called on a running agent.
        case alreadyRunning
    }

    public var code: Code
    /// What is wrong and what to do about it.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
