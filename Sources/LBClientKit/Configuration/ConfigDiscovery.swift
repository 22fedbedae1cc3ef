import Foundation
import LBCore

/// Finds which configuration file gives the load of each alias.
///
/// golbclient's rules with its faults fixed: the directory is read without descending into
/// subdirectories, `lbclient.conf.<alias>` works for any alias name (not only `*.cern.ch`), a
/// file for an alias that `lbaliases` does not list is ignored with a warning instead of adding
/// an unknown alias to the answer, and an alias listed twice is reported once.
public struct ConfigDiscovery: Sendable {
    /// The directory holding the configuration files (`--cm`).
    public var directory: String
    /// The alias list (`--ca`).
    public var aliasesFile: String
    /// File name of the default configuration (`-c`).
    public var defaultName: String
    /// How large the alias list may be.
    public var limits: ConfigurationLimits = .standard

    /// Prefix of alias-specific files; fixed, as in golbclient, whatever `defaultName` is.
    public static let aliasFilePrefix = "lbclient.conf."

    public init(
        directory: String = "/usr/local/etc/", aliasesFile: String = "/usr/local/etc/lbaliases",
        defaultName: String = "lbclient.conf"
    ) {
        self.directory = directory
        self.aliasesFile = aliasesFile
        self.defaultName = defaultName
    }

    /// What discovery found: the mappings in answer order, and the files it skipped and why.
    public struct Result: Sendable, Hashable {
        public var mappings: [ConfigMapping]
        public var warnings: [String]
    }

    /// The mappings in answer order: alias-specific files in name order, then the default file
    /// with every remaining alias in `lbaliases` order (only if some alias uses it).
    public func discover() throws(DiscoveryError) -> Result {
        let fileNames: [String]
        if let names = DirectoryListing.names(in: directory) {
            fileNames = names.sorted()
        } else {
            // The rare failure (or a name that is not UTF-8) is left to FileManager, whose
            // reading and messages these have always been.
            do {
                fileNames = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            } catch {
                throw DiscoveryError("cannot read the configuration directory \(directory): \(reason(error))")
            }
        }
        let aliasesText: String
        switch limits.read(aliasesFile) {
        case .success(let text): aliasesText = text
        case .failure(let problem):
            let cannotRead = "cannot read "
            throw DiscoveryError(
                problem.message.hasPrefix(cannotRead)
                    ? "cannot read the alias list " + problem.message.dropFirst(cannotRead.count)
                    : "the alias list: \(problem.message)")
        }
        let (aliases, aliasProblems) = AliasListFile.read(aliasesText, path: aliasesFile)
        // The first alias of each key, as `lbaliases` lists them.
        var listed = KeyPositions()
        for alias in aliases { listed.appendIfNew(aliasKey(alias)) }
        func listedName(_ key: String) -> String? { listed.position(of: key).map { aliases[$0] } }

        var warnings: [String] = aliasProblems.map(\.description)
        var hasDefault = false
        // Alias-specific mappings in the order their keys were first found; a later file of the
        // same key replaces the earlier one.
        var specificKeys = KeyPositions()
        var specific: [ConfigMapping] = []
        for name in fileNames {
            // Only the names that can matter are looked at: a stat of every file of a busy
            // directory would cost for nothing.
            guard name == defaultName || name.hasPrefix(Self.aliasFilePrefix) else { continue }
            let path = join(directory, name)
            // Directories (and what does not exist, such as a dangling link) are skipped.
            guard DirectoryListing.isNonDirectory(path) else { continue }
            if name == defaultName {
                hasDefault = true
            } else if name.hasPrefix(Self.aliasFilePrefix), name.count > Self.aliasFilePrefix.count {
                let alias = String(name.dropFirst(Self.aliasFilePrefix.count))
                let key = aliasKey(alias)
                guard let listedName = listedName(key) else {
                    warnings.append("\(path): ignored, \(alias) is not listed in \(aliasesFile)")
                    continue
                }
                let mapping = ConfigMapping(path: path, aliases: [listedName], isAliasSpecific: true)
                if let position = specificKeys.position(of: key) {
                    specific[position] = mapping
                } else {
                    specificKeys.appendIfNew(key)
                    specific.append(mapping)
                }
            }
        }

        var mappings = specific
        let sharing = aliases.filter { specificKeys.position(of: aliasKey($0)) == nil }
        if !sharing.isEmpty {
            let defaultPath = join(directory, defaultName)
            guard hasDefault else {
                throw DiscoveryError(
                    "\(defaultPath) does not exist, and \(sharing.joined(separator: ", ")) "
                        + "\(sharing.count == 1 ? "has" : "have") no file of \(sharing.count == 1 ? "its" : "their") own"
                )
            }
            mappings.append(ConfigMapping(path: defaultPath, aliases: sharing, isAliasSpecific: false))
        } else if mappings.isEmpty && !hasDefault {
            throw DiscoveryError("no configuration files found in \(directory)")
        }
        return Result(mappings: mappings, warnings: warnings)
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

/// Strings and the position of each one's first appearance, found by a linear search while
/// there are few (a node serves a handful of aliases) and by a dictionary beyond that: the
/// dictionary's generic type costs the runtime a look-up at every one-shot run.
struct KeyPositions {
    private var keys: [String] = []
    private var index: [String: Int]?

    /// Strings beyond which a dictionary finds them.
    static let linearSearchLimit = 32

    func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    /// Adds `key` at the end unless it is already there.
    mutating func appendIfNew(_ key: String) {
        guard position(of: key) == nil else { return }
        keys.append(key)
        if index == nil, keys.count > Self.linearSearchLimit {
            index = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        } else {
            index?[key] = keys.count - 1
        }
    }
}

/// Discovery failed for every alias at once (no directory, no alias list, no usable file).
public struct DiscoveryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The system's reason for a failed file operation, without Foundation's boilerplate.
func reason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
        underlying.domain == NSPOSIXErrorDomain
    {
        return systemErrorDescription(Int32(underlying.code))
    }
    if nsError.domain == NSCocoaErrorDomain {
        switch nsError.code {
        case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "No such file or directory"
        case NSFileReadNoPermissionError: return "Permission denied"
        default: break
        }
    }
    return nsError.localizedDescription
}
