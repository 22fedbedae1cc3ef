import DNS
import Foundation

/// The embedded server's answer to a TXT query for `_explain.<alias>` (`dns.embedded.explain`):
/// the alias's latest decision in one line (`DecisionSummary`), computed at query time from a
/// `LastDecisionsRecorder`, never stored in a zone (no serial change, no NOTIFY).
public enum ExplainTXT {
    /// The label the alias name is prefixed with.
    public static let label = "_explain"

    /// The hook for `AuthoritativeResponder`: strings for `_explain.<alias>` when the alias has
    /// a decision, nil for every other name (answered from the zone as before).
    public static func dynamicText(
        _ recorder: LastDecisionsRecorder, now: @escaping @Sendable () -> Date = { Date() }
    ) -> AuthoritativeResponder.DynamicText {
        { name in
            guard let alias = alias(in: name), let evaluation = recorder.latest(alias) else { return nil }
            return DecisionSummary.characterStrings(DecisionSummary.line(evaluation, now: now()))
        }
    }

    /// The alias `name` asks about: `_explain.www.lb.example.org.` gives `www.lb.example.org`.
    static func alias(in name: DomainName) -> String? {
        let labels = name.wireLabels
        guard labels.count >= 2, labels[0].count == 8,
            String(decoding: labels[0], as: UTF8.self).lowercased() == label
        else { return nil }
        return name.labels.dropFirst().joined(separator: ".").lowercased()
    }
}
