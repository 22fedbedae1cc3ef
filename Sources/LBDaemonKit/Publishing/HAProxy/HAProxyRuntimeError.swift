/// Why an exchange with HAProxy's runtime API failed. `code` is for programs and log filters;
/// `message` names the socket, the command and HAProxy's own words where there are some.
public struct HAProxyRuntimeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// No connection to the socket (HAProxy not running, wrong path or port, permissions).
        case connectionFailed = "connection_failed"
        /// HAProxy did not answer everything before the deadline.
        case timeout
        /// The answer was longer than lbd reads.
        case answerTooLarge = "answer_too_large"
        /// The answer could not be read (framing, a missing or malformed table).
        case malformedAnswer = "malformed_answer"
        /// HAProxy refused a command (`No such server.`, `Permission denied`...).
        case rejected
        /// HAProxy does not know the backend.
        case unknownBackend = "unknown_backend"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The publishing failure it becomes in a `.failed` result.
    public var publishingFailure: PublishingFailure {
        let code: PublishingFailure.Code =
            switch self.code {
            case .connectionFailed: .connectionFailed
            case .timeout: .timeout
            case .answerTooLarge, .malformedAnswer: .malformedResponse
            case .rejected, .unknownBackend: .rejected
            }
        return PublishingFailure(code, message)
    }
}
