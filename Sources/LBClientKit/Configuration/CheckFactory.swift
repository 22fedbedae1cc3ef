/// Turns a configuration line into the check its keyword names, validating its arguments.
public enum CheckFactory {
    /// The prepared check for `line`.
    ///
    /// - Throws: ``ClientConfigError`` located in the line when its arguments are malformed.
    public static func check(for line: ConfigLine) throws -> any Check {
        switch line.keyword {
        case .nologin: try NologinCheck(line: line)
        case .tmpfull: try TmpFullCheck(line: line)
        case .sshdaemon, .webdaemon, .ftpdaemon, .gridftpdaemon, .daemon: try DaemonCheck(line: line)
        case .afs: try AFSCheck(line: line)
        case .lemon, .collectd: try MetricExpressionCheck(line: line)
        case .roger: try RogerCheck(line: line)
        case .command: try CommandCheck(line: line)
        case .collectdAlarms: try CollectdAlarmsCheck(line: line)
        case .constant: try ConstantCheck(line: line)
        case .eos: try EOSCheck(line: line)
        case .reboot: try RebootCheck(line: line)
        case .xsessions, .swapping, .swaping: try AlwaysPassCheck(line: line)
        }
    }
}

/// A configuration line with its check, ready to run.
public struct PreparedLine: Sendable {
    public var line: ConfigLine
    public var check: any Check

    public init(line: ConfigLine, check: any Check) {
        self.line = line
        self.check = check
    }
}

extension ClientConfigFile {
    /// Every line's check, or every error found in the arguments.
    public func prepare() -> Result<[PreparedLine], ClientConfigErrors> {
        var prepared: [PreparedLine] = []
        var errors: [ClientConfigError] = []
        for line in lines {
            do {
                prepared.append(PreparedLine(line: line, check: try CheckFactory.check(for: line)))
            } catch let error as ClientConfigError {
                errors.append(error)
            } catch {
                errors.append(line.error("\(error)"))
            }
        }
        return errors.isEmpty ? .success(prepared) : .failure(ClientConfigErrors(errors))
    }
}
