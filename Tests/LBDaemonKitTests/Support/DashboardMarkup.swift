import Foundation

/// Reads what the dashboards' tests check out of a page, whether lbd wrote it or a browser
/// serialised its DOM (which may quote and escape attributes differently).
enum DashboardMarkup {
    /// The `<svg data-chart="NAME">...</svg>` element, or nil.
    static func chart(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "<svg data-chart=\"\(name)\"") else { return nil }
        guard let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// Each series of a line chart and its point count, by series name (unescaped).
    static func series(_ chart: String) -> [String: Int] {
        pairs(chart, #"data-series="([^"]*)" data-points="(\d+)""#).mapValues { Int($0) ?? -1 }
    }

    /// Each bar of a bar chart and its value, by label (unescaped).
    static func bars(_ chart: String) -> [String: Double] {
        pairs(chart, #"data-bar="([^"]*)" data-value="([^"]*)""#).mapValues { Double($0) ?? -1 }
    }

    /// How many times `attribute="value"` occurs.
    static func count(_ attribute: String, in html: String) -> Int {
        html.components(separatedBy: attribute).count - 1
    }

    /// `text` with the character references the pages and browsers write turned back.
    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func pairs(_ text: String, _ pattern: String) -> [String: String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [:] }
        var found: [String: String] = [:]
        let range = NSRange(text.startIndex..., in: text)
        for match in expression.matches(in: text, range: range) {
            guard let name = Range(match.range(at: 1), in: text),
                let value = Range(match.range(at: 2), in: text)
            else { continue }
            found[unescape(String(text[name]))] = String(text[value])
        }
        return found
    }
}
