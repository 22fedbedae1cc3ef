/// A keyword of an lbclient configuration line (`check nologin`, `load constant 5`...).
///
/// The failure codes are golbclient's, kept byte for byte: lbd and operators read them to know
/// which check failed (a node answering `-13` failed its roger check).
public enum Keyword: String, CaseIterable, Sendable {
    case nologin
    case tmpfull
    case sshdaemon
    case webdaemon
    case ftpdaemon
    case gridftpdaemon
    case afs
    case lemon
    case roger
    case command
    case collectd
    case collectdAlarms = "collectd_alarms"
    case constant
    case daemon
    case eos
    case reboot
    case xsessions
    case swapping
    /// The 2004 Perl client's misspelling, still found in old files.
    case swaping

    /// The positive code; a failing line reports its negation.
    public var failureCode: Int {
        switch self {
        case .nologin: 1
        case .tmpfull, .xsessions, .swapping, .swaping: 6
        case .sshdaemon: 7
        case .webdaemon: 8
        case .ftpdaemon: 9
        case .afs: 10
        case .gridftpdaemon: 11
        case .lemon: 12
        case .roger: 13
        case .command: 14
        case .collectd, .collectdAlarms: 15
        case .constant: 16
        case .daemon: 17
        case .eos: 18
        case .reboot: 19
        }
    }

    /// The value a line with this keyword reports when it fails.
    public var failureValue: Int { -failureCode }

    /// The verbs this keyword takes.
    public var verbs: Set<Verb> {
        switch self {
        case .constant: [.load]
        // golbclient accepts `load collectd_alarms`, which adds 1 when every alarm is fine.
        case .lemon, .collectd, .collectdAlarms: [.check, .load]
        default: [.check]
        }
    }

    /// True when this keyword takes `verb`; ``verbs`` as a test, without building a set (a
    /// generic type the runtime instantiates at start-up, with a search of every conformance).
    public func takes(_ verb: Verb) -> Bool {
        switch self {
        case .constant: verb == .load
        case .lemon, .collectd, .collectdAlarms: true
        default: verb == .check
        }
    }

    /// The keyword named by `text`, ignoring case.
    public init?(caseInsensitive text: some StringProtocol) {
        // A search of the cases rather than `init(rawValue:)`, whose string switch builds a
        // dictionary of the names at its first use, an extra cost of every one-shot run.
        let lowered = text.lowercased()
        for keyword in Self.allCases where keyword.rawValue == lowered {
            self = keyword
            return
        }
        return nil
    }
}

/// What a configuration line does with its keyword's result.
public enum Verb: String, Sendable, Hashable {
    /// Pass or fail; the value itself is discarded.
    case check
    /// Pass or fail, and a passing value is added to the node's load.
    case load

    /// The verb named by `word`, already in lower case.
    init?(lowercased word: String) {
        switch word {
        case "check": self = .check
        case "load": self = .load
        default: return nil
        }
    }
}
