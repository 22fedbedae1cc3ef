import Foundation

/// The query string of a dashboard request, decoded as an HTML form sends it (`+` is a space,
/// then percent-decoding), so that the search box works without JavaScript.
///
/// Invariant: a malformed escape or invalid UTF-8 never fails the request: the value is read as
/// written.
struct DashboardQuery: Hashable, Sendable {
    /// The first value of each name.
    var values: [String: String]

    init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// Decodes `query` (what follows `?`, without it); nil or empty gives no value.
    init(parsing query: String?) {
        var values: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if values[name] == nil { values[name] = value }
        }
        self.values = values
    }

    subscript(name: String) -> String? { values[name] }

    /// `text` with `+` as a space and `%XX` escapes decoded.
    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
