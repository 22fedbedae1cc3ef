import Foundation

/// How the dashboards write times and durations: UTC always, so that two operators in different
/// places read the same page the same way.
enum DashboardTime {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// `2026-01-02 03:04:05 UTC`.
    static func full(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(pad(c.year ?? 0, 4))-\(pad(c.month ?? 0))-\(pad(c.day ?? 0)) "
            + "\(pad(c.hour ?? 0)):\(pad(c.minute ?? 0)):\(pad(c.second ?? 0)) UTC"
    }

    /// An axis label fitting `window` seconds: `03:04` within two days, `01-02` beyond.
    static func axisLabel(_ date: Date, window: TimeInterval) -> String {
        let c = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        if window <= 2 * 86_400 { return "\(pad(c.hour ?? 0)):\(pad(c.minute ?? 0))" }
        return "\(pad(c.month ?? 0))-\(pad(c.day ?? 0))"
    }

    /// `42 s`, `5 min 3 s`, `3 h 12 min`, `4 d 2 h`.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded()))
        let (days, hours, minutes, rest) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days) d \(hours) h" }
        if hours > 0 { return "\(hours) h \(minutes) min" }
        if minutes > 0 { return "\(minutes) min \(rest) s" }
        return "\(rest) s"
    }

    /// `2026-01-02 03:04:05 UTC (42 s ago)`.
    static func withAge(_ date: Date, now: Date) -> String {
        let age = now.timeIntervalSince(date)
        return full(date) + (age >= 0 ? " (\(duration(age)) ago)" : "")
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
