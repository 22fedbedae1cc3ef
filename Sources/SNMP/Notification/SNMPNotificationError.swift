/// Why a ``SNMPNotificationListener`` or a ``SNMPNotificationSender`` could not start. Socket
/// errors (address in use, a source address that is not local...) come from SwiftNIO as they
/// are; a notification that could not be delivered is a ``SNMPClientError``.
public struct SNMPNotificationError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// An engine ID, boots, user, port, limit, timeout or address is invalid; `message` says
        /// which.
        case invalidConfiguration
        /// The credentials and kind do not make a notification this library sends: v1, or an
        /// SNMPv3 trap (whose sender would be the authoritative engine).
        case unsupported
        /// `start()` was called a second time on a listener; a listener runs once.
        case alreadyStarted
        /// The listener was stopped while `start()` was binding.
        case stopped
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
