import Foundation

/// The reaction times of one mode on one DNS server: from `touch nologin` to the drained node
/// gone from the server's answer, and from its removal to the node back.
struct ReactionSummary {
    let mode: String
    let server: String
    /// Seconds; nil for a drain the server did not show within the bound.
    var removals: [Double?] = []
    var restores: [Double?] = []

    static let header =
        "mode                              server    drains  timeouts       p50       p99       max  back p50"

    /// One row of the table; `p99` over fewer than 100 drains is the nearest-rank value, which for
    /// 50 drains is the largest.
    var row: String {
        let measured = removals.compactMap { $0 }.sorted()
        let back = restores.compactMap { $0 }.sorted()
        func milliseconds(_ values: [Double], _ p: Double) -> String {
            guard !values.isEmpty else { return "-" }
            let rank = max(1, Int((p * Double(values.count)).rounded(.up)))
            return String(format: "%.0f ms", values[rank - 1] * 1000)
        }
        return mode.padding(toLength: 34, withPad: " ", startingAt: 0)
            + server.padding(toLength: 8, withPad: " ", startingAt: 0)
            + String(format: "%8d  %8d", removals.count, removals.count - measured.count)
            + [milliseconds(measured, 0.5), milliseconds(measured, 0.99), milliseconds(measured, 1)]
            .map { $0.leftPadded(to: 10) }.joined()
            + milliseconds(back, 0.5).leftPadded(to: 10)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
