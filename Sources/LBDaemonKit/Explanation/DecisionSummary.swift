import Foundation
import LBCore

/// An evaluation in one line, for the embedded server's `_explain.<alias>` TXT answer:
/// `2/5 usable, best 2: a1 load 3, a2 load 5; b: no answer (timeout after 2 attempts); ...`.
///
/// Uses the words of `DecisionExplanation` (the table of `lbd simulate` and `lbd explain`).
/// Invariant: the line is printable ASCII only (anything else a node sent is shown as `?`), so
/// it stays one line, and at most `maximumLength` octets, members left out being counted.
public enum DecisionSummary {
    /// The most octets a line has: a TXT answer of a few character-strings, well inside a
    /// 1232-octet UDP answer.
    public static let maximumLength = 1000
    /// The most octets one member takes, so that one long failure text cannot hide the others.
    static let maximumMemberLength = 160

    /// The line for `evaluation`; with `now`, how long ago it was made.
    ///
    /// Answered at each `_explain` query: the text of members is built only while it fits in
    /// the line, so a query costs a pass over the members' states, not their text, however
    /// large the alias.
    public static func line(_ evaluation: AliasEvaluation, now: Date? = nil) -> String {
        let decision = evaluation.decision
        let headLimit = maximumLength / 2
        var head =
            "\(decision.usableCount)/\(decision.members.count) usable, "
            + outcome(decision, beyond: headLimit)
        if let now {
            let age = max(0, Int(now.timeIntervalSince(evaluation.finishedAt).rounded()))
            head = "\(evaluation.action) \(age)s ago: " + head
        } else {
            head = "\(evaluation.action): " + head
        }
        let others = decision.members.lazy.filter { !$0.isChosen }.map { member in
            cut("\(member.node): \(otherDetail(member))", to: maximumMemberLength)
        }
        return joined(
            cut(head, to: headLimit), others, count: decision.members.count { !$0.isChosen })
    }

    /// `line` as TXT character-strings of at most 255 octets each.
    public static func characterStrings(_ line: String) -> [[UInt8]] {
        let octets = Array(printable(line).utf8.prefix(maximumLength))
        guard !octets.isEmpty else { return [[]] }
        return stride(from: 0, to: octets.count, by: 255).map {
            Array(octets[$0..<min($0 + 255, octets.count)])
        }
    }

    /// What was published. The chosen members are listed until the text is longer than
    /// `limit` scalars: the head is cut there anyway.
    private static func outcome(_ decision: Decision, beyond limit: Int) -> String {
        let chosen = chosenList(decision, beyond: limit)
        switch decision.appliedPolicy {
        case .keep?: return "none usable: DNS left unchanged (when_none_usable keep)"
        case .empty?: return "none usable: no address published (when_none_usable empty)"
        case .random?:
            return "none usable, picked at random: " + (chosen.isEmpty ? "nothing to pick" : chosen)
        case nil:
            if decision.publish == nil { return "DNS left unchanged" }
            return "best \(decision.parameters.bestHosts): " + chosen
        }
    }

    /// `Decision.chosen` (best first) as `node load N, ...`, stopping once longer than `limit`
    /// scalars. Sorts positions, not members, and ties keep configuration order as there.
    private static func chosenList(_ decision: Decision, beyond limit: Int) -> String {
        let members = decision.members
        let chosen = members.indices.filter { members[$0].isChosen }.sorted {
            (members[$0].rank ?? .max, $0) < (members[$1].rank ?? .max, $1)
        }
        var text = ""
        for index in chosen {
            let member = members[index]
            if !text.isEmpty { text += ", " }
            text += member.evaluation.load.map { "\(member.node) load \($0)" } ?? member.node
            if text.unicodeScalars.count > limit { break }
        }
        return text
    }

    private static func otherDetail(_ member: MemberDecision) -> String {
        switch member.reason {
        case .rankedOut:
            return member.evaluation.load.map { "load \($0), ranked out" } ?? "ranked out"
        case .drained:
            // Who and why, also from a decision read back from the decisions file.
            return member.notes.map(\.description).first { $0.hasPrefix("drained by") } ?? "drained"
        default:
            return DecisionExplanation.stateDetail(member.evaluation.state)
        }
    }

    /// `head` and the `count` members joined by `; `, stopping with `; +N more` before the limit.
    private static func joined(_ head: String, _ members: some Sequence<String>, count: Int) -> String {
        var line = head
        for (index, member) in members.enumerated() {
            let left = count - index
            let more = left > 1 ? "; +\(left - 1) more".utf8.count : 0
            if line.utf8.count + 2 + member.utf8.count + more > maximumLength {
                return line + "; +\(left) more"
            }
            line += "; " + member
        }
        return line
    }

    /// `text` made printable ASCII and cut to `limit` octets, `...` marking a cut.
    static func cut(_ text: String, to limit: Int) -> String {
        let shown = printable(text)
        guard shown.utf8.count > limit else { return shown }
        return String(shown.prefix(limit - 3)) + "..."
    }

    /// Every scalar outside printable ASCII (line breaks, control characters, non-ASCII)
    /// replaced by `?`.
    static func printable(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            result.unicodeScalars.append((0x20...0x7E).contains(scalar.value) ? scalar : "?")
        }
        return result
    }
}
