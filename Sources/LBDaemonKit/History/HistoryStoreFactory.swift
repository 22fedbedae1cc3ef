import Foundation
import Logging

/// Opens the history store `history:` asks for. A store that cannot be opened is logged and
/// lbd runs without history: the history is never a reason not to poll and publish.
public enum HistoryStoreFactory {
    /// The store, or nil when `history.store` is `off` or the store cannot be opened.
    public static func open(
        _ settings: HistorySettings, stateDirectory: String, instance: String, logger: Logger
    ) -> (any HistoryStore)? {
        do throws(HistoryError) {
            switch settings.store {
            case .off:
                return nil
            case .memory:
                return InMemoryHistoryStore(retention: settings.retention)
            case .sqlite:
                let path = settings.sqlitePath(stateDirectory: stateDirectory)
                let store = try SQLiteHistoryStore(
                    path: path, retention: settings.retention, rawRetention: settings.rawRetention)
                logger.info("history: SQLite at \(path)")
                return store
            case .postgresql:
                let store = try PostgresHistoryStore(
                    settings: settings, instance: instance, logger: logger)
                logger.info("history: PostgreSQL at \(store.url)")
                return store
            }
        } catch {
            logger.error("\(error.description); lbd runs without history")
            return nil
        }
    }
}
