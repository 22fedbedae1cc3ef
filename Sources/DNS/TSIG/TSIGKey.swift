/// A shared TSIG key: its name (which both sides must spell the same, case aside), algorithm
/// and secret. The secret is never part of `description`.
public struct TSIGKey: Hashable, Sendable, CustomStringConvertible {
    public let name: DomainName
    public let algorithm: TSIGAlgorithm
    public let secret: [UInt8]

    public init(name: DomainName, algorithm: TSIGAlgorithm, secret: [UInt8]) {
        self.name = name
        self.algorithm = algorithm
        self.secret = secret
    }

    /// A key whose secret is given in base64, as `tsig-keygen` prints it; nil if it is not base64.
    public init?(name: DomainName, algorithm: TSIGAlgorithm, base64Secret: String) {
        guard let secret = Base64.decode(base64Secret) else { return nil }
        self.init(name: name, algorithm: algorithm, secret: secret)
    }

    public var description: String { "\(name) (\(algorithm.rawValue))" }
}
