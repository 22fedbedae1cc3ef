import Foundation
import Testing

/// The `lbclient` built next to this test bundle, as `lbd` is (`swift build --build-tests`
/// builds every product into the same directory).
enum LBClientExecutable {
    /// Its path; the test fails when it is not built.
    static func path() throws -> String {
        let products = Bundle.module.bundleURL.deletingLastPathComponent()
        let executable = products.appendingPathComponent("lbclient")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "lbclient is not built at \(executable.path): run swift build --build-tests")
        return executable.path
    }
}
