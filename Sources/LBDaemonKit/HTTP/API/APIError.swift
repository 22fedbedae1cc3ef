import Foundation
import Hummingbird

/// The body of every API error: a stable code for programs and a sentence for people.
public struct APIError: Hashable, Sendable, Codable, Error {
    /// `not_found`, `bad_request`, `history_off`, `history_failed`.
    public var error: String
    public var message: String

    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }

    /// The HTTP status the code is answered with.
    var status: HTTPResponse.Status {
        switch error {
        case "not_found", "history_off": .notFound
        case "bad_request": .badRequest
        default: .internalServerError
        }
    }

    static func notFound(_ message: String) -> APIError { APIError(error: "not_found", message: message) }
    static func badRequest(_ message: String) -> APIError {
        APIError(error: "bad_request", message: message)
    }
}
