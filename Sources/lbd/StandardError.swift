import Foundation

/// Writes a line to standard error: diagnostics never go to stdout, which carries results.
func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
