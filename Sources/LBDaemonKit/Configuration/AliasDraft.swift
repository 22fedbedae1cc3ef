import LBCore

/// A position in a configuration file.
struct SourceLocation: Hashable {
    var line: Int?
    var column: Int?

    static let unknown = SourceLocation(line: nil, column: nil)
}

/// An alias as one file describes it, before the checks that span the whole file.
struct AliasDraft {
    struct Member {
        var name: String
        var location: SourceLocation
    }

    var name: String
    var location: SourceLocation
    /// `nil` when the file gives no members at all.
    var members: [Member]?
    var parameters = AliasParameters()
    /// Where the parameters were given; `nil` when a golbd file has no `parameters` for the alias.
    var parametersLocation: SourceLocation?
    var partition = AliasConfiguration.defaultPartition
    var haproxy: HAProxySettings?

    init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}
