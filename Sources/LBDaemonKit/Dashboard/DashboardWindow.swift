import Foundation

/// The time windows a dashboard chart can show, chosen by `?window=`: bounded, so that no request
/// can ask the history for more than the retention.
enum DashboardWindow: String, CaseIterable, Hashable, Sendable {
    case hour = "1h"
    case day = "1d"
    case month = "30d"

    /// What a page shows when the request names no window, or one it does not know.
    static let standard = DashboardWindow.day

    /// The window named `value` (`1h`, `1d`, `30d`), else `standard`.
    init(parameter value: String?) {
        self = value.flatMap(DashboardWindow.init(rawValue:)) ?? .standard
    }

    var duration: TimeInterval {
        switch self {
        case .hour: 3_600
        case .day: 86_400
        case .month: 30 * 86_400
        }
    }

    /// For the links that choose it.
    var label: String {
        switch self {
        case .hour: "1 hour"
        case .day: "1 day"
        case .month: "30 days"
        }
    }

    /// The window that ends at `now`.
    func interval(endingAt now: Date) -> (from: Date, to: Date) {
        (now.addingTimeInterval(-duration), now)
    }
}
