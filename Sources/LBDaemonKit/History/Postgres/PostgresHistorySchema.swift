import PostgresNIO

/// The history tables in PostgreSQL, version 1: the SQLite layout with names as text and every
/// row tagged with the instance that wrote it, so that the two instances of an HA pair share
/// one database. Created when missing; a newer version is refused.
enum PostgresHistorySchema {
    static let version = 1

    static let statements: [PostgresQuery] = [
        """
        CREATE TABLE IF NOT EXISTS lbd_history_meta (
            instance text NOT NULL, key text NOT NULL, value bigint, PRIMARY KEY (instance, key))
        """,
        """
        CREATE TABLE IF NOT EXISTS lbd_history_sample (
            alias text NOT NULL, node text NOT NULL, t bigint NOT NULL, instance text NOT NULL,
            n integer, loaded integer, total bigint, lo bigint, hi bigint, failure text,
            PRIMARY KEY (alias, node, t, instance))
        """,
        "CREATE INDEX IF NOT EXISTS lbd_history_sample_t ON lbd_history_sample (t)",
        """
        CREATE TABLE IF NOT EXISTS lbd_history_membership (
            alias text NOT NULL, instance text NOT NULL, start bigint NOT NULL, node text NOT NULL,
            stop bigint, PRIMARY KEY (alias, instance, start, node))
        """,
        """
        CREATE TABLE IF NOT EXISTS lbd_history_decision (
            id bigserial PRIMARY KEY, alias text NOT NULL, instance text NOT NULL, t bigint NOT NULL,
            body bytea NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS lbd_history_decision_alias_t ON lbd_history_decision (alias, t)",
        """
        CREATE TABLE IF NOT EXISTS lbd_history_alias_state (
            instance text NOT NULL, alias text NOT NULL, policy text NOT NULL, chosen bytea NOT NULL,
            PRIMARY KEY (instance, alias))
        """,
        """
        CREATE TABLE IF NOT EXISTS lbd_history_cycle (
            id bigserial PRIMARY KEY, instance text NOT NULL, t bigint NOT NULL, n integer,
            body bytea NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS lbd_history_cycle_t ON lbd_history_cycle (t)",
        """
        CREATE TABLE IF NOT EXISTS lbd_history_event (
            id bigserial PRIMARY KEY, instance text NOT NULL, t bigint NOT NULL, kind text NOT NULL,
            detail text NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS lbd_history_event_t ON lbd_history_event (t)",
    ]
}
