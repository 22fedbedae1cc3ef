import Foundation

/// The alias owner's page rendered from a history, with no server around it: what
/// `lbbench history` times (the dashboards themselves render it through their routes).
public enum AliasPageRenderer {
    /// The HTML of `/aliases/{alias}?window=30d` for `alias` with `history`, no evaluation yet.
    public static func render(alias: AliasConfiguration, history: AliasHistory, now: Date) -> String {
        AliasPage.render(
            alias: alias, evaluation: nil, published: [:], history: .loaded(history), window: .month, now: now
        )
    }
}
