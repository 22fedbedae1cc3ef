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
        do {
            fileNames = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw DiscoveryError("cannot read the configuration directory \(directory): \(reason(error))")
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
        let listed = Dictionary(aliases.map { (aliasKey($0), $0) }, uniquingKeysWith: { first, _ in first })

        var warnings: [String] = aliasProblems.map(\.description)
        var hasDefault = false
        var specific: [String: ConfigMapping] = [:]
        var specificOrder: [String] = []
        for name in fileNames {
            let path = join(directory, name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            if name == defaultName {
                hasDefault = true
            } else if name.hasPrefix(Self.aliasFilePrefix), name.count > Self.aliasFilePrefix.count {
                let alias = String(name.dropFirst(Self.aliasFilePrefix.count))
                guard let listedName = listed[aliasKey(alias)] else {
                    warnings.append("\(path): ignored, \(alias) is not listed in \(aliasesFile)")
                    continue
                }
                let key = aliasKey(alias)
                if specific[key] == nil { specificOrder.append(key) }
                specific[key] = ConfigMapping(path: path, aliases: [listedName], isAliasSpecific: true)
            }
        }

        var mappings = specificOrder.compactMap { specific[$0] }
        let sharing = aliases.filter { specific[aliasKey($0)] == nil }
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
