import Foundation

/// `lbd status`'s text: one `name: value` line per fact, the role first.
public enum InstanceStatusReport {
    /// - Parameters:
    ///   - url: where the status was read, named on the first line.
    ///   - now: to say how long ago the last round finished.
    public static func render(_ status: InstanceStatus, url: String, now: Date) -> String {
        let leadership = status.leadership
        var lines: [(String, String)] = [
            ("role", "\(leadership.role.rawValue) (\(leadership.mode))"),
            ("instance", status.instance),
            ("partition", status.partition ?? "none (every alias)"),
            ("peer", leadership.peer ?? "none"),
        ]
        if let age = leadership.age {
            let what = leadership.mode == "lease" ? "lease age" : "heartbeat age"
            lines.append((what, seconds(age)))
        }
        if let token = leadership.fencingToken { lines.append(("fencing token", String(token))) }
        lines.append(("why", leadership.reason))
        if let since = leadership.since { lines.append(("since", timestamp(since, now: now))) }
        lines.append(("aliases", String(status.aliasCount)))
        if let round = status.lastRound {
            lines.append(
                (
                    "last round",
                    "\(timestamp(round.finishedAt, now: now)): \(round.aliasesEvaluated) evaluated, "
                        + "\(round.published) published, \(round.failed) failed"
                ))
        } else {
            lines.append(("last round", "none yet"))
        }
        if let cycles = status.cycles {
            lines.append(
                (
                    "cycles",
                    "last \(seconds(cycles.lastDuration)), mean \(seconds(cycles.meanDuration)) over "
                        + "\(cycles.window); \(cycles.pollFailures) of \(cycles.polls) polls failed, "
                        + "\(cycles.publishFailures) publication(s) failed"
                ))
        }
        lines.append(("config", "\(status.configPath) (sha256 \(status.configDigest))"))
        lines.append(("version", status.version))
        lines.append(("started", timestamp(status.startedAt, now: now)))
        let width = lines.map(\.0.count).max() ?? 0
        let body = lines.map { name, value in
            "\(name):" + String(repeating: " ", count: width - name.count + 1) + value
        }
        return (["lbd at \(url)"] + body).joined(separator: "\n") + "\n"
    }

    private static func timestamp(_ date: Date, now: Date) -> String {
        let text = ISO8601DateFormatter().string(from: date)
        let ago = now.timeIntervalSince(date)
        return ago >= 0 ? "\(text) (\(seconds(ago)) ago)" : text
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }
}
