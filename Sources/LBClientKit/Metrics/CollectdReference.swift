/// A collectd reference: `[host/plugin-instance/type-instance]`, `[plugin-instance/type-instance]`
/// (collectd fills in the local host name) or a name without a slash (`[Y]`, handed to collectdctl
/// as written), optionally followed by an anchor that picks one of the identifier's values:
/// `[id:2]` is the second value, `[id:rx]` the value named `rx`. Without an anchor the first value
/// is used.
struct CollectdReference: Sendable, Hashable {
    enum Selection: Sendable, Hashable {
        case first
        /// 1-based position among the values, in the order collectd lists them.
        case position(Int)
        /// The data source name, e.g. `shortterm` for the `load` type.
        case name(String)
    }

    /// The identifier as written, without the anchor.
    var identifier: String
    var selection: Selection

    init(identifier: String, selection: Selection) {
        self.identifier = identifier
        self.selection = selection
    }

    /// Reads the text between the brackets: `identifier`, `identifier:N` or `identifier:name`.
    init(_ reference: String) throws(CheckError) {
        var identifier = Substring(reference)
        var anchor: Substring?
        // The anchor follows the last ':', so identifiers may keep the other ones.
        if let colon = reference.lastIndex(of: ":") {
            identifier = reference[..<colon]
            anchor = reference[reference.index(after: colon)...]
        }
        guard !identifier.isEmpty else {
            throw CheckError("[\(reference)] has no collectd identifier before the ':'")
        }
        // A name without a slash (`[Y]`, `[test:out]`) is passed to collectdctl as it is, as
        // golbclient did: collectd itself, or a site's collectdctl wrapper, decides what it means.
        let slashes = identifier.filter { $0 == "/" }.count
        guard slashes <= 2,
            !identifier.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty)
        else {
            throw CheckError(
                "'\(identifier)' is not a collectd identifier: write host/plugin-instance/type-instance, plugin-instance/type-instance or a name without a slash"
            )
        }
        guard !identifier.contains(where: { $0.isNewline || $0 == "\"" || $0 == "\\" }) else {
            throw CheckError(
                "'\(identifier)' is not a collectd identifier: quotes and backslashes are not allowed")
        }
        self.identifier = String(identifier)

        guard let anchor else {
            selection = .first
            return
        }
        guard !anchor.isEmpty else {
            throw CheckError(
                "empty anchor in [\(reference)]: write [\(identifier):N] for the N-th value or [\(identifier):name]"
            )
        }
        if anchor.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let position = Int(anchor), position >= 1 else {
                throw CheckError(
                    "value positions start at 1 in [\(reference)]: [\(identifier):1] is the first value")
            }
            selection = .position(position)
        } else {
            guard !anchor.contains("=") else {
                throw CheckError("'\(anchor)' is not a collectd value name in [\(reference)]")
            }
            selection = .name(String(anchor))
        }
    }

    /// Whether collectd's unixsock socket can answer for the identifier: only full identifiers
    /// (with a slash) can be written as a GETVAL; the others go to collectdctl.
    var isSocketIdentifier: Bool { identifier.contains("/") }

    /// The value this reference picks among `values`, the answer for ``identifier``.
    func select(from values: [CollectdValue]) throws(CheckError) -> Double {
        let names = values.map(\.name).joined(separator: ", ")
        switch selection {
        case .first:
            guard let value = values.first else {
                throw CheckError("collectd returned no value for \(identifier)")
            }
            return value.value
        case .position(let position):
            guard position <= values.count else {
                throw CheckError(
                    "[\(identifier):\(position)] asks for value \(position) of \(identifier), which has \(values.count) (\(names))"
                )
            }
            return values[position - 1].value
        case .name(let name):
            guard let value = values.first(where: { $0.name == name }) else {
                throw CheckError("collectd has no value named '\(name)' for \(identifier) (it has: \(names))")
            }
            return value.value
        }
    }
}
