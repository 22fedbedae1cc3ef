import Foundation
import Yams

/// An `lbpost.yaml`: where to POST the per-alias loads and with which credentials.
///
/// golbclient's keys are kept (`url`, `cacert`, `hostcert`, `hostkey`, `authtimeout`, and a
/// `status` list of `aliasname` and `secret`); a missing or malformed file is a clear error
/// instead of a crash.
public struct PostConfiguration: Sendable, Hashable {
    public struct AliasSecret: Sendable, Hashable {
        public var alias: String
        public var secret: String
    }

    public var url: URL
    /// CA bundle that must sign the server's certificate; nil trusts the system's roots.
    public var caCertificateFile: String?
    /// Client certificate and key, presented when both are given.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// Limit for the whole exchange. golbclient's `authtimeout: 0` meant no limit; we never wait
    /// for ever and use ``defaultTimeout`` instead.
    public var timeout: Duration
    /// The aliases to post, in file order.
    public var aliases: [AliasSecret]

    public static let defaultTimeout: Duration = .seconds(30)

    private struct File: Decodable {
        var url: String?
        var cacert: String?
        var hostcert: String?
        var hostkey: String?
        var authtimeout: Double?
        var status: [Status]?

        struct Status: Decodable {
            var aliasname: String?
            var secret: String?
        }
    }

    /// Reads and validates `path`.
    public static func load(_ path: String) throws(LoadPostError) -> PostConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadPostError("cannot read \(path): \(reason(error))")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws(LoadPostError) -> PostConfiguration {
        let file: File
        do {
            guard let decoded = try YAMLDecoder().decode(File?.self, from: text) else {
                throw LoadPostError("\(path) is empty")
            }
            file = decoded
        } catch let error as LoadPostError {
            throw error
        } catch {
            throw LoadPostError("\(path) is not a valid lbpost.yaml: \(error)")
        }
        guard let urlText = file.url, let url = URL(string: urlText), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", url.host != nil
        else {
            throw LoadPostError("\(path): `url` must be an http:// or https:// address")
        }
        if (file.hostcert == nil) != (file.hostkey == nil) {
            throw LoadPostError("\(path): `hostcert` and `hostkey` go together; give both or neither")
        }
        guard let status = file.status, !status.isEmpty else {
            throw LoadPostError("\(path): `status` must list every alias with its `aliasname` and `secret`")
        }
        var aliases: [AliasSecret] = []
        for (index, entry) in status.enumerated() {
            guard let alias = entry.aliasname, !alias.isEmpty else {
                throw LoadPostError("\(path): status entry \(index + 1) has no `aliasname`")
            }
            guard let secret = entry.secret, !secret.isEmpty else {
                throw LoadPostError("\(path): the secret of \(alias) is missing or empty")
            }
            aliases.append(AliasSecret(alias: alias, secret: secret))
        }
        var timeout = defaultTimeout
        if let seconds = file.authtimeout {
            guard seconds.isFinite, seconds >= 0 else {
                throw LoadPostError("\(path): `authtimeout` must be a number of seconds, 0 or more")
            }
            if seconds > 0 { timeout = .milliseconds(Int64(seconds * 1000)) }
        }
        return PostConfiguration(
            url: url, caCertificateFile: file.cacert, clientCertificateFile: file.hostcert,
            clientKeyFile: file.hostkey, timeout: timeout, aliases: aliases)
    }
}

/// Posting the loads failed; the message says what to fix.
public struct LoadPostError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
