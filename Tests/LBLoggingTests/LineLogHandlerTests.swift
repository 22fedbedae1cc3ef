import Foundation
import Logging
import Testing

@testable import LBLogging

@Suite struct LineLogHandlerTests {
    private func line(_ metadata: Logger.Metadata, _ format: LogFormat, message: String = "hello") -> String {
        LineLogHandler.line(time: "T", .warning, message, metadata, format: format)
    }

    @Test func textLinesEndWithEveryFieldSortedByKey() {
        let text = line(["node": "node1", "alias": "www.example.org", "load": .stringConvertible(12)], .text)
        #expect(text == "T warning hello alias=www.example.org load=12 node=node1")
    }

    @Test func textValuesWithSpacesQuotesOrControlsAreQuoted() {
        let text = line(
            [
                "reason": "wrong digest (usmStatsWrongDigests)", "quote": "say \"hi\"", "line": "a\nb",
                "empty": "", "equals": "a=b",
            ], .text)
        #expect(
            text
                == #"T warning hello empty="" equals="a=b" line="a\nb" quote="say \"hi\"" reason="wrong digest (usmStatsWrongDigests)""#
        )
    }

    @Test func textWithoutFieldsIsTheMessageAlone() {
        #expect(line([:], .text) == "T warning hello")
        #expect(
            LineLogHandler.line(time: "T", .info, "m", ["a": "b"], format: .text, textIncludesMetadata: false)
                == "T info m")
    }

    @Test func jsonNumbersAndBooleansStayNumbersAndBooleans() throws {
        let json = line(
            [
                "load": .stringConvertible(12), "usable": .stringConvertible(0),
                "ratio": .stringConvertible(0.5),
                "dry_run": .stringConvertible(true), "alias": "www", "count_as_text": "7",
                "unusable": .dictionary(["node1": "timeout"]), "addresses": .array(["10.0.0.1", "::1"]),
            ], .json)
        #expect(json.contains(#""load":12"#), "\(json)")
        #expect(json.contains(#""usable":0"#), "\(json)")
        #expect(json.contains(#""ratio":0.5"#), "\(json)")
        #expect(json.contains(#""dry_run":true"#), "\(json)")
        #expect(json.contains(#""count_as_text":"7""#), "\(json)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["alias"] as? String == "www")
        #expect(object["message"] as? String == "hello")
        #expect(object["level"] as? String == "warning")
        #expect((object["unusable"] as? [String: String]) == ["node1": "timeout"])
        #expect((object["addresses"] as? [String]) == ["10.0.0.1", "::1"])
    }

    @Test func jsonCannotHoldInfinityItBecomesAString() {
        let json = line(["x": .stringConvertible(Double.infinity)], .json)
        #expect(json.contains(#""x":"inf""#), "\(json)")
    }

    @Test func jsonKeepsTheReservedFieldsFromMetadata() {
        let json = line(["message": "forged", "level": "forged"], .json)
        #expect(json.contains(#""message":"hello""#) && !json.contains("forged"), "\(json)")
    }
}
