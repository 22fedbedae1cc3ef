import LBCore
import NIOCore
import OSThreads
import SNMP

/// Sends `lbLoadChanged` (``loadChangedNotificationOID``) to one receiver: an SNMPv3 INFORM
/// as a USM user, or a v2c trap with a community.
///
/// The receiver's name is resolved and the socket opened at the first send, and again after a
/// failure to do so: a name that does not resolve yet at boot, or a source address not yet
/// configured, is a failed send the caller retries, never a reason to stop answering lbd.
public actor SNMPLoadNotificationSender: LoadNotificationSending {
    public nonisolated let receiverDescription: String
    private let host: String
    private let port: Int
    private let credentials: SNMPCredentials
    private let sourceAddress: String?
    private let timeout: Duration
    private let retries: Int
    private let keyCache: USMKeyCache
    private var sender: SNMPNotificationSender?
    private var isShutDown = false

    /// How long one INFORM attempt waits for its Response by default: lbd answers at once, and
    /// the background evaluation waits for the send.
    public static let defaultTimeout: Duration = .milliseconds(500)

    /// - Parameters:
    ///   - host: an IP address or a name, resolved at the first send.
    ///   - sourceAddress: the local address to send from (lbd maps it to the node); nil lets the
    ///     system choose.
    public init(
        host: String, port: Int, credentials: SNMPCredentials, sourceAddress: String? = nil,
        timeout: Duration = SNMPLoadNotificationSender.defaultTimeout, retries: Int = 1,
        keyCache: USMKeyCache = USMKeyCache()
    ) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.sourceAddress = sourceAddress
        self.timeout = timeout
        self.retries = retries
        self.keyCache = keyCache
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let how: String
        switch credentials {
        case .user(let user): how = "INFORM as \(user.name)"
        case .community: how = "v2c trap"
        }
        receiverDescription = "\(shownHost):\(port) (\(how))"
    }

    public func send(report: String) async throws {
        let sender = try await openSender()
        try await sender.send(
            OID(loadChangedNotificationOID)!,
            [VariableBinding(oid: OID(loadReportOID)!, value: .octetString(Array(report.utf8)))])
    }

    public func shutdown() async {
        isShutDown = true
        await sender?.shutdown()
        sender = nil
    }

    private func openSender() async throws -> SNMPNotificationSender {
        if let sender { return sender }
        guard !isShutDown else { throw SNMPClientError.shutDown }
        let (host, port) = (self.host, self.port)
        let receiver: SocketAddress
        if let address = try? SocketAddress(ipAddress: host, port: port) {
            receiver = address
        } else {
            // getaddrinfo blocks: not on the cooperative pool.
            receiver = try await BlockingThread.run {
                try SocketAddress.makeAddressResolvingHost(host, port: port)
            }
        }
        let opened = try await SNMPNotificationSender.start(
            receiver: receiver, credentials: credentials, timeout: timeout, retries: retries,
            sourceAddress: sourceAddress, keyCache: keyCache)
        if isShutDown {
            await opened.shutdown()
            throw SNMPClientError.shutDown
        }
        sender = opened
        return opened
    }
}
