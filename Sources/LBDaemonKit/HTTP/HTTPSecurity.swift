import Crypto
import Foundation
import NIOSSL

/// What guards lbd's HTTP server, read from the files `http.token_file` and `http.tls` name:
/// the bearer token requests must carry and the TLS configuration.
///
/// Read at start (`lbd run` refuses to start when a file cannot be read) and again when the
/// server starts listening; never logged, never served.
public struct HTTPSecurity: Sendable {
    /// The SHA-256 of the token: requests are compared with it, so that the comparison takes
    /// the same time whatever the token's length and wherever it differs.
    let tokenDigest: [UInt8]?
    let tls: TLSConfiguration?

    /// The shortest token accepted: anything shorter can be guessed.
    public static let minimumTokenLength = 16

    /// No token, no TLS (a loopback server).
    public static let none = HTTPSecurity(tokenDigest: nil, tls: nil)

    /// Whether a token is asked.
    public var requiresToken: Bool { tokenDigest != nil }
    /// Whether the server speaks TLS.
    public var usesTLS: Bool { tls != nil }

    private init(tokenDigest: [UInt8]?, tls: TLSConfiguration?) {
        self.tokenDigest = tokenDigest
        self.tls = tls
    }

    /// Reads the token and the certificate and key `settings` name.
    public static func load(_ settings: HTTPSettings) throws(HTTPSecurityError) -> HTTPSecurity {
        var digest: [UInt8]?
        if let path = settings.tokenFile {
            digest = Array(SHA256.hash(data: Array(try token(at: path).utf8)))
        }
        var tls: TLSConfiguration?
        if let files = settings.tls {
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
            } catch {
                throw .unreadableCertificate(path: files.certificate, detail: "\(error)")
            }
            guard !chain.isEmpty else {
                throw .unreadableCertificate(path: files.certificate, detail: "no PEM certificate in it")
            }
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(file: files.key, format: .pem)
            } catch {
                throw .unreadableKey(path: files.key, detail: "\(error)")
            }
            tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        }
        return HTTPSecurity(tokenDigest: digest, tls: tls)
    }

    /// The token in the file at `path`: its content without the surrounding blanks and newline.
    public static func token(at path: String) throws(HTTPSecurityError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableTokenFile(path: path, detail: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .badToken(path: path, detail: "it is not UTF-8 text")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= minimumTokenLength else {
            throw .badToken(
                path: path, detail: "the token must have at least \(minimumTokenLength) characters")
        }
        guard token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .badToken(
                path: path, detail: "the token must be one line of printable ASCII without spaces")
        }
        return token
    }

    /// Whether `header` (an `Authorization` value) carries the token, compared in constant time.
    func accepts(authorization header: String?) -> Bool {
        guard let tokenDigest else { return true }
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let given = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        let digest = Array(SHA256.hash(data: Array(given.utf8)))
        var difference: UInt8 = 0
        for (a, b) in zip(digest, tokenDigest) { difference |= a ^ b }
        return difference == 0
    }
}

/// Why the HTTP server's token or certificate cannot be used; names the file, never its content.
public enum HTTPSecurityError: Error, Hashable, Sendable, CustomStringConvertible {
    case unreadableTokenFile(path: String, detail: String)
    case badToken(path: String, detail: String)
    case unreadableCertificate(path: String, detail: String)
    case unreadableKey(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreadableTokenFile(let path, let detail):
            "http.token_file \(path) cannot be read: \(detail)"
        case .badToken(let path, let detail):
            "http.token_file \(path): \(detail) (write one random token, e.g. `openssl rand -hex 32 > \(path)`)"
        case .unreadableCertificate(let path, let detail):
            "http.tls.certificate \(path) cannot be used: \(detail) (a PEM certificate is expected)"
        case .unreadableKey(let path, let detail):
            "http.tls.key \(path) cannot be used: \(detail) (a PEM private key is expected)"
        }
    }
}
