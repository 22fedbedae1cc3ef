/// Who answers on the runtime API socket: the process id and start time from `show info`. A
/// change means HAProxy was reloaded or restarted, and has lost the runtime changes lbd made.
public struct HAProxyProcessInfo: Hashable, Sendable {
    public var pid: Int
    /// `Start_time_sec`, or nil for versions that do not show it.
    public var startTime: Int?

    public init(pid: Int, startTime: Int?) {
        self.pid = pid
        self.startTime = startTime
    }

    /// The fields of an answer to `show info` (`Name: value` lines).
    public static func parse(_ answer: String) throws(HAProxyRuntimeError) -> HAProxyProcessInfo {
        var pid: Int?
        var startTime: Int?
        for line in answer.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingPrefix(" ")
            switch line[..<colon] {
            case "Pid": pid = Int(value)
            case "Start_time_sec": startTime = Int(value)
            default: break
            }
        }
        guard let pid else {
            throw HAProxyRuntimeError(.malformedAnswer, "show info: no Pid in '\(answer.prefix(80))'")
        }
        return HAProxyProcessInfo(pid: pid, startTime: startTime)
    }
}
