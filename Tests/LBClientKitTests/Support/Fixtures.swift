import Foundation
import LBCore

/// A temporary directory for one test, removed when the value is dropped by `remove()`.
struct Scratch {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lbclient-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `contents` at `relativePath` (directories created as needed); returns the path.
    @discardableResult
    func write(_ relativePath: String, _ contents: String) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Writes an executable script (a fake helper program such as lemon-cli); returns its path.
    @discardableResult
    func script(_ relativePath: String, _ body: String) throws -> String {
        let path = try write(relativePath, body.hasPrefix("#!") ? body : "#!/bin/sh\n" + body)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func makeDirectory(_ relativePath: String) throws {
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent(relativePath), withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension SeededRandomNumberGenerator {
    /// A number in `0..<bound`, for the fuzz tests.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
