import LBCore

/// Decisions as a human table, one block per alias.
public enum DecisionTable {
    public static func render(_ decisions: [Decision]) -> String {
        decisions.map(render).joined(separator: "\n")
    }

    /// Several rounds in a row, each headed `round N of M`; one round alone as `render(_:)`.
    public static func render(rounds: [[Decision]]) -> String {
        guard rounds.count > 1 else { return render(rounds.first ?? []) }
        return rounds.enumerated().map { index, decisions in
            "== round \(index + 1) of \(rounds.count) ==\n" + render(decisions)
        }.joined(separator: "\n")
    }

    /// The decisions, each followed by what the publishers did (or would do) with it.
    public static func render(_ decisions: [Decision], publications: [String: [PublicationResult]]) -> String
    {
        decisions.map { decision in
            let lines = (publications[decision.alias] ?? []).map { result in
                let previous = result.previous.map {
                    $0.isEmpty ? "nothing" : $0.map(\.description).joined(separator: " ")
                }
                let was =
                    previous.map { " (had \($0)\(result.previousTTL.map { ", ttl \($0)" } ?? ""))" } ?? ""
                switch result.action {
                case .unchanged: return "  \(result.target): unchanged\(was)"
                case .updated: return "  \(result.target): updated\(was)"
                case .wouldUpdate: return "  \(result.target): would update\(was)"
                case .failed(let message): return "  \(result.target): FAILED: \(message)"
                }
            }
            return render(decision) + lines.map { $0 + "\n" }.joined()
        }.joined(separator: "\n")
    }

    static func render(_ decision: Decision) -> String {
        let parameters = decision.parameters
        var lines: [String] = []
        let action: String
        if let publish = decision.publish {
            action =
                publish.isEmpty
                ? "publish no address" : "publish " + publish.map(\.description).joined(separator: " ")
        } else {
            action = "leave DNS unchanged"
        }
        lines.append("\(decision.alias): \(action)")
        lines.append(
            "  best_hosts \(parameters.bestHosts.golbdValue), when_none_usable \(parameters.whenNoneUsable.rawValue), "
                + "ttl \(parameters.effectiveTTL), \(decision.usableCount) of \(decision.members.count) member(s) usable"
                + DecisionExplanation.selectionOptions(parameters).map { ", " + $0 }.joined()
        )
        let header = ["RANK", "NODE", "LOAD", "DECISION", "DETAIL"]
        let rows = decision.members.map { member in
            [
                member.rank.map(String.init) ?? "-",
                member.node,
                member.evaluation.load.map(String.init) ?? "-",
                DecisionExplanation.reasonCode(member.reason).replacingUnderscores,
                detail(member, bestHosts: parameters.bestHosts),
            ]
        }
        lines += table([header] + rows).map { "  " + $0 }
        lines += decision.warnings.map { "  warning: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func detail(_ member: MemberDecision, bestHosts: BestHosts) -> String {
        let addresses = member.evaluation.addresses
        if member.isChosen {
            let published = Set(member.published)
            let others = addresses.filter { !published.contains($0.address) }
                .map { "\($0.address): \(DecisionExplanation.outcomeDetail($0.outcome))" }
            // What stickiness, rise/fall, max_changes or min_usable did is why it is published.
            return member.published.map(\.description).joined(separator: " ")
                + (others.isEmpty ? "" : " (not \(others.joined(separator: "; ")))")
                + member.notes.map { "; \($0)" }.joined()
        }
        // A member whose addresses disagree is explained address by address.
        if addresses.count > 1, Set(addresses.map(\.outcome)).count > 1 {
            return
                (addresses.map { "\($0.address): \(DecisionExplanation.outcomeDetail($0.outcome))" }
                + member.notes.map(\.description)).joined(separator: "; ")
        }
        return DecisionExplanation.detail(member, bestHosts: bestHosts)
    }

    private static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(to: widths[column])
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }

    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
