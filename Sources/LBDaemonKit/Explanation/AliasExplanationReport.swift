import Foundation

/// What `lbd explain` prints: the decision as the table `lbd simulate` prints it (with what the
/// publishers did), then when and by which instance it was made, whether it was published, and
/// where it was read.
public enum AliasExplanationReport {
    public static func render(_ explanation: AliasExplanation, now: Date) -> String {
        let evaluation = explanation.evaluation
        let decision = evaluation.decision
        var text = DecisionTable.render([decision], publications: [decision.alias: evaluation.results])
        let age = max(0, Int(now.timeIntervalSince(evaluation.finishedAt).rounded()))
        text +=
            "decided \(timestamp(evaluation.finishedAt)) (\(duration(age)) ago)"
            + (explanation.instance.map { " by \($0)" } ?? "") + "\n"
        text += "published: \(publication(evaluation))\n"
        switch explanation.source {
        case .running(let url):
            text += "source: the running lbd at \(url)\n"
        case .stateFile(let path, let writtenAt):
            text +=
                "source: \(path), written \(timestamp(writtenAt)) (lbd was not asked: it may not be running)\n"
        }
        return text
    }

    /// Whether, and how, the decision reached DNS, in words.
    static func publication(_ evaluation: AliasEvaluation) -> String {
        guard !evaluation.results.isEmpty || ["keep", "standby"].contains(evaluation.action) else {
            return "no: lbd has no place to publish to"
        }
        let places = evaluation.results.map(\.target).joined(separator: ", ")
        switch evaluation.action {
        case "keep": return "no: DNS left as it was (when_none_usable keep)"
        case "standby": return "no: this instance was the standby, the active one publishes"
        case "updated": return "yes, DNS changed (\(places))"
        case "unchanged": return "yes, DNS already showed it (\(places))"
        case "would-update": return "no: dry run, DNS would change (\(places))"
        case "failed": return "no: publishing FAILED (\(places))"
        case "partly-failed": return "partly: publishing failed in some places (\(places))"
        default: return evaluation.action
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func duration(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7200 { return "\(seconds / 60) min" }
        if seconds < 172_800 { return "\(seconds / 3600) h" }
        return "\(seconds / 86_400) days"
    }
}
