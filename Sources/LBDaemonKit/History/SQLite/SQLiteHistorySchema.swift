import GRDB

/// The tables of `SQLiteHistoryStore`, version 1, sized for CERN's scale (19 million member
/// samples in 30 days): integer ids for names, whole seconds, samples keyed by (member, time)
/// in a WITHOUT ROWID table so that one alias's 30 days are a few range scans, memberships kept
/// as intervals and decisions as rows written when they happen.
///
/// The version is `PRAGMA user_version`: a file of a newer version is refused, never changed.
enum SQLiteHistorySchema {
    static let version = 1

    /// `name.kind` values.
    enum Kind: Int64 {
        case alias = 0
        case node = 1
        case failure = 2
    }

    static let statements = [
        // Aliases, nodes and failure codes, each spelled once.
        """
        CREATE TABLE name (
            id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, text TEXT NOT NULL, UNIQUE (kind, text))
        """,
        // One row per (alias, node) pair ever seen: what a sample is keyed by.
        """
        CREATE TABLE member (
            id INTEGER PRIMARY KEY, alias_id INTEGER NOT NULL, node_id INTEGER NOT NULL,
            UNIQUE (alias_id, node_id))
        """,
        // A raw sample (n NULL: one sample; total: the load as reported) or a 5-minute bucket
        // (n samples, loaded of them usable, total their sum, lo..hi their range). NULLs and the
        // integers 0 and 1 take no space in a SQLite record.
        """
        CREATE TABLE sample (
            member_id INTEGER NOT NULL, t INTEGER NOT NULL, n INTEGER, loaded INTEGER, total INTEGER,
            lo INTEGER, hi INTEGER, failure_id INTEGER, PRIMARY KEY (member_id, t)) WITHOUT ROWID
        """,
        // Who was behind an alias when: opened and closed as decisions change it.
        """
        CREATE TABLE membership (
            alias_id INTEGER NOT NULL, start INTEGER NOT NULL, node_id INTEGER NOT NULL, stop INTEGER,
            PRIMARY KEY (alias_id, start, node_id)) WITHOUT ROWID
        """,
        "CREATE INDEX membership_stop ON membership (stop)",
        // The evaluations that changed what an alias published or how it decided.
        """
        CREATE TABLE decision (
            id INTEGER PRIMARY KEY, alias_id INTEGER NOT NULL, t INTEGER NOT NULL, body BLOB NOT NULL)
        """,
        "CREATE INDEX decision_alias_t ON decision (alias_id, t)",
        // The last evaluation of each alias, as far as the next decision change needs it.
        """
        CREATE TABLE alias_state (
            alias_id INTEGER PRIMARY KEY, policy TEXT NOT NULL, chosen BLOB NOT NULL)
        """,
        // Engine batches (n > 1 once rolled up) and service events.
        "CREATE TABLE cycle (id INTEGER PRIMARY KEY, t INTEGER NOT NULL, n INTEGER, body BLOB NOT NULL)",
        "CREATE INDEX cycle_t ON cycle (t)",
        """
        CREATE TABLE event (
            id INTEGER PRIMARY KEY, t INTEGER NOT NULL, kind TEXT NOT NULL, instance TEXT NOT NULL,
            detail TEXT NOT NULL)
        """,
        "CREATE INDEX event_t ON event (t)",
        // rolled_until: samples before it are rolled up.
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID",
    ]

    /// Creates the tables in an empty file, or checks the version of an existing one.
    static func prepare(_ db: Database, path: String) throws {
        let found = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if found == version { return }
        if found > version {
            throw HistoryError.unavailable(
                "\(path) has history schema version \(found) and this lbd knows version \(version) only: run a newer lbd, or move the file away to start a new history"
            )
        }
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
        guard tables == 0 else {
            throw HistoryError.unavailable(
                "\(path) is a SQLite file with tables but no history schema version: it is not lbd's history; set history.path to another file"
            )
        }
        for statement in statements { try db.execute(sql: statement) }
        try db.execute(sql: "PRAGMA user_version = \(version)")
    }
}
