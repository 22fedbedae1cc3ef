/// Delivers one "the node's answer changed" notification to one receiver (lbd's notification
/// listener). A seam: production sends SNMP (``SNMPLoadNotificationSender``), tests record.
public protocol LoadNotificationSending: Sendable {
    /// The receiver, for log lines.
    var receiverDescription: String { get }

    /// Sends `report`, the text a GET of the load OID reads (`250`, `a=250,b=-1`, or empty when
    /// no configuration was found). Returns once the receiver acknowledged it (INFORM) or once
    /// it was sent (trap); throws when it could not be delivered.
    func send(report: String) async throws

    /// Closes what the sender holds open.
    func shutdown() async
}
