import Foundation

/// The temporary directory of one benchmark run: its peers' files and logs.
enum BenchmarkDirectory {
    /// Runs `body` with a new directory named `prefix-UUID`, then removes it, or with `keep`
    /// leaves it and prints where it is (to read lbd's logs after a surprising figure).
    static func with<Result>(prefix: String, keep: Bool, _ body: (URL) async throws -> Result) async throws
        -> Result
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if keep {
                print("kept \(directory.path)")
            } else {
                try? FileManager.default.removeItem(at: directory)
            }
        }
        return try await body(directory)
    }
}
