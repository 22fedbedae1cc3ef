import Crypto
import Foundation

/// The SHA-256 of a configuration file, so that an operator can tell whether the two instances of
/// a pair run the same file (`lbd status`, `/api/v1/instance`).
enum ConfigurationDigest {
    /// Lower-case hex; `unreadable` when the file cannot be read.
    static func ofFile(at path: String) -> String {
        guard let bytes = FileManager.default.contents(atPath: path) else { return "unreadable" }
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
