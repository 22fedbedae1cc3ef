/// Something the selection did to one member beyond ranking it by load: why it is published
/// although another looks better, or why it is not although it answered well.
public enum SelectionNote: Hashable, Sendable, CustomStringConvertible {
    /// An operator drained the node.
    case drained(Drain)
    /// Up, but its latest polls failed; it leaves after `fall` failures in a row and is ranked
    /// with its last usable load meanwhile.
    case failing(failedPolls: Int, fall: Int, lastLoad: Int)
    /// Down, and passing again; it comes back after `rise` passed polls in a row.
    case rising(passedPolls: Int, rise: Int)
    /// Published, and kept although a less loaded member was available: none was lower by more
    /// than `stickiness`.
    case keptByStickiness(percent: Int)
    /// Less loaded than a published member, but not by more than `stickiness`.
    case heldOutByStickiness(percent: Int)
    /// Would have left DNS, but `max_changes` members already left in this evaluation.
    case keptByMaxChanges(limit: Int)
    /// Would have entered DNS, but it would have replaced more than `max_changes` members.
    case heldBackByMaxChanges(limit: Int)
    /// Published because fewer members than `min_usable` were usable and the alias fails open.
    case failedOpen(usable: Int, minimum: Int)
    /// A note read back from a decisions file, as it was written.
    case recorded(String)

    public var description: String {
        switch self {
        case .drained(let drain): return drain.explanation
        case .failing(let failed, let fall, let lastLoad):
            return "failing: \(failed) of \(fall) failed polls before it leaves (fall \(fall)); "
                + "ranked with its last load \(lastLoad)"
        case .rising(let passed, let rise):
            return "coming back: \(passed) of \(rise) passed polls (rise \(rise))"
        case .keptByStickiness(let percent):
            return "kept: no other member is lower by more than \(percent)% (stickiness)"
        case .heldOutByStickiness(let percent):
            return "not lower than a published member by more than \(percent)% (stickiness)"
        case .keptByMaxChanges(let limit):
            return "kept in DNS: at most \(limit) member(s) may leave in one evaluation (max_changes)"
        case .heldBackByMaxChanges(let limit):
            return "held back: at most \(limit) member(s) may be replaced in one evaluation (max_changes)"
        case .failedOpen(let usable, let minimum):
            return "published: only \(usable) usable, below min_usable \(minimum), the alias fails open"
        case .recorded(let text): return text
        }
    }
}
