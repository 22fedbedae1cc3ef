import Foundation
import Testing

@testable import LBClientKit

/// The examples of docs/lbclient.md must stay valid configuration.
@Suite("docs/lbclient.md examples")
struct DocumentationExamplesTests {
    @Test func everyKeywordExampleIsValid() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/lbclient.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let marker = try #require(text.range(of: "Examples, one per keyword:"))
        let block = text[marker.upperBound...]
        let start = try #require(block.range(of: "```\n"))
        let end = try #require(block[start.upperBound...].range(of: "```"))
        let examples = String(block[start.upperBound..<end.lowerBound])
        let file = try ClientConfigFile.parse(examples, path: "docs").get()
        let keywords = Set(file.lines.map(\.keyword))
        #expect(keywords == Set(Keyword.allCases).subtracting([.swapping, .swaping]))
        if case .failure(let errors) = file.prepare() {
            Issue.record("invalid examples: \(errors)")
        }
    }
}
