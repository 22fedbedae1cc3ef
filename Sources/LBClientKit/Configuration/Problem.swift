/// A failure described by one message for the operator, such as "cannot read FILE: reason".
public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
