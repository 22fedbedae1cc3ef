import LBCore

/// Told of every SNMP poll of one node address, with how long it took: the poll counters and
/// the latency histogram of `/metrics`.
public protocol PollRecorder: Sendable {
    func recordPoll(_ reply: AddressReply, duration: Duration)
}
