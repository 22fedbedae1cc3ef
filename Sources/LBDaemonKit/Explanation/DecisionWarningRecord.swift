import LBCore

/// A `SelectionWarning` as `decisions.json` keeps it: a code, the numbers it carries, and its
/// sentence for people reading the file.
struct DecisionWarningRecord: Codable, Hashable, Sendable {
    var code: String
    var text: String
    var usable: Int?
    var requested: Int?
    var members: Int?
    var policy: String?
    var minimum: Int?
    var leaving: Int?
    var limit: Int?

    init(_ warning: SelectionWarning) {
        text = warning.description
        switch warning {
        case .fewerUsableThanRequested(let usable, let requested):
            code = "fewer_usable_than_requested"
            self.usable = usable
            self.requested = requested
        case .bestHostsExceedsMembers(let requested, let members):
            code = "best_hosts_exceeds_members"
            self.requested = requested
            self.members = members
        case .noUsableMembers(let policy):
            code = "no_usable_members"
            self.policy = policy.rawValue
        case .nothingToPickAtRandom:
            code = "nothing_to_pick_at_random"
        case .belowMinimumUsable(let usable, let minimum, let policy):
            code = "below_min_usable"
            self.usable = usable
            self.minimum = minimum
            self.policy = policy.rawValue
        case .drainedMembersKept:
            code = "drained_members_kept"
        case .changesLimited(let leaving, let limit):
            code = "changes_limited"
            self.leaving = leaving
            self.limit = limit
        }
    }

    /// The warning; nil when the code or the policy is not one this lbd knows.
    var warning: SelectionWarning? {
        switch code {
        case "fewer_usable_than_requested":
            return .fewerUsableThanRequested(usable: usable ?? 0, requested: requested ?? 0)
        case "best_hosts_exceeds_members":
            return .bestHostsExceedsMembers(requested: requested ?? 0, members: members ?? 0)
        case "no_usable_members":
            return policy.flatMap(NoUsableNodePolicy.init(rawValue:)).map { .noUsableMembers($0) }
        case "nothing_to_pick_at_random":
            return .nothingToPickAtRandom
        case "below_min_usable":
            return policy.flatMap(BelowMinimumPolicy.init(rawValue:)).map {
                .belowMinimumUsable(usable: usable ?? 0, minimum: minimum ?? 0, policy: $0)
            }
        case "drained_members_kept":
            return .drainedMembersKept
        case "changes_limited":
            return .changesLimited(leaving: leaving ?? 0, limit: limit ?? 0)
        default:
            return nil
        }
    }
}
