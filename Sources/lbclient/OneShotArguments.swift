/// The command lines snmpd's `pass` and operators run most, read without swift-argument-parser:
/// `lbclient [-g OID | -n OID] [options]` and `lbclient -v`. Building the parser's model of every
/// command and option (reflection, protocol conformance look-ups) costs milliseconds, which every
/// node pays on every poll (docs/performance.md).
///
/// Only a strict subset is read here: each option of ``ClientOptions`` and `-g`, `-n`, `-p`,
/// `--cache-time`, `-v` at most once, as `--name value`, `--name=value` or `-x value`, with values
/// that are not empty and do not start with `-`. Anything else (help, a subcommand, another option,
/// a repeated one, a value that does not validate) gives `nil`, and ``LBClientCommand`` parses the
/// whole command line as before, with the same results and messages.
struct OneShotArguments {
    var settings = ClientSettings()
    var printVersion = false
    var postFile: String?

    init?(_ arguments: [String]) {
        // A bit mask and a switch rather than a Set and a Dictionary: their generic types cost
        // protocol conformance look-ups at start-up, each a scan of every conformance linked in.
        var seen: UInt32 = 0
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "--" else { return nil }
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = Option(spelling: name), seen & option.bit == 0 else { return nil }
            seen |= option.bit
            switch option {
            case .version, .logToStandardError:
                guard inlineValue == nil else { return nil }
                if option == .version { printVersion = true } else { settings.logToStandardError = true }
                continue
            default:
                break
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.endIndex else { return nil }
                value = arguments[index]
                index += 1
            }
            guard !value.isEmpty, !value.hasPrefix("-"), set(option, to: value) else { return nil }
        }
        guard (try? settings.validate()) != nil else { return nil }
    }

    /// Stores one option's value; false when the value does not parse.
    private mutating func set(_ option: Option, to value: String) -> Bool {
        switch option {
        case .configDirectory: settings.configDirectory = value
        case .aliasesFile: settings.aliasesFile = value
        case .configName: settings.configName = value
        case .root: settings.root = value
        case .lemonCLI: settings.lemonCLI = value
        case .collectdctl: settings.collectdctl = value
        case .collectdSocket: settings.collectdSocket = value
        case .eosxd: settings.eosxd = value
        case .logLevel: settings.logLevel = value
        case .logMode: settings.logMode = value
        case .logFile: settings.logFile = value
        case .post: postFile = value
        case .getOID, .getNextOID: break  // net-snmp's `pass` names the OID; there is only one.
        case .timeout, .deadline, .cacheTime:
            // --cache-time only matters with --pass-persist, which is not read here.
            guard let duration = try? parseDuration(value) else { return false }
            if option == .timeout { settings.timeout = duration }
            if option == .deadline { settings.deadline = duration }
        case .logToStandardError, .version: return false
        }
        return true
    }

    /// The options read here, each spelt as ``ClientOptions`` and ``LBClientCommand`` declare it.
    private enum Option: Int {
        case configDirectory, aliasesFile, configName, root, lemonCLI, collectdctl, collectdSocket, eosxd
        case timeout, deadline, logLevel, logMode, logFile, logToStandardError, cacheTime, post
        case getOID, getNextOID, version

        init?(spelling: String) {
            switch spelling {
            case "--cm": self = .configDirectory
            case "--ca": self = .aliasesFile
            case "-c", "--conf-name": self = .configName
            case "--root": self = .root
            case "--lemon-cli": self = .lemonCLI
            case "--collectdctl": self = .collectdctl
            case "--collectd-socket": self = .collectdSocket
            case "--eosxd": self = .eosxd
            case "--timeout", "--exec.timeout": self = .timeout
            case "--deadline": self = .deadline
            case "-d", "--loglevel": self = .logLevel
            case "-m", "--logMode": self = .logMode
            case "--log-file": self = .logFile
            case "--log-stderr": self = .logToStandardError
            case "--cache-time": self = .cacheTime
            case "-p", "--post": self = .post
            case "-g", "--gdata": self = .getOID
            case "-n", "--ndata": self = .getNextOID
            case "-v", "--version": self = .version
            default: return nil
            }
        }

        var bit: UInt32 { 1 << UInt32(rawValue) }
    }
}
