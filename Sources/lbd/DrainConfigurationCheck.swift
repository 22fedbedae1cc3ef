import LBCore
import LBDaemonKit

/// `lbd drain --config`: warns, without failing, when the node is a member of no alias of the
/// file (a typo drains nothing), or the alias is not in it.
enum DrainConfigurationCheck {
    static func warn(node: String, alias: String?, config: String) {
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(path: config, format: nil).configuration
        } catch {
            printToStandardError(
                "lbd drain: warning: cannot check the node against \(config): \(error.description)")
            return
        }
        let normal = Drain.comparableName
        let aliases = configuration.aliases.filter { $0.members.contains { normal($0) == normal(node) } }
        if aliases.isEmpty {
            printToStandardError(
                "lbd drain: warning: \(node) is not a member of any alias in \(config): the drain applies to nothing until it is"
            )
        } else if let alias, !aliases.contains(where: { normal($0.name) == normal(alias) }) {
            printToStandardError(
                "lbd drain: warning: \(node) is not a member of \(alias) in \(config) (it is in: \(aliases.map(\.name).sorted().joined(separator: ", ")))"
            )
        }
    }
}
