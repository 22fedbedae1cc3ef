extension DNSClient {
    /// Timeouts, retries and sizes of `DNSClient` requests.
    public struct Options: Hashable, Sendable {
        /// How long one attempt (one datagram, or one TCP connection and exchange) waits.
        public var timeout: Duration
        /// How many times an attempt is repeated after a timeout: `retries + 1` attempts in all.
        public var retries: Int
        /// The UDP payload size advertised in the EDNS0 OPT record of queries. 1232 is the DNS
        /// flag day 2020 value, which avoids IP fragmentation on usual paths.
        public var udpPayloadSize: UInt16
        /// The largest UPDATE sent as a datagram; larger ones go over TCP. 512 unless the server
        /// is known to advertise more (RFC 6891 section 6.2.5).
        public var maximumUDPUpdateSize: Int
        /// Sets RD in queries; authoritative servers do not need it.
        public var recursionDesired: Bool
        /// Always use TCP, even for small messages.
        public var tcpOnly: Bool

        public init(
            timeout: Duration = .seconds(2), retries: Int = 2, udpPayloadSize: UInt16 = 1232,
            maximumUDPUpdateSize: Int = 512, recursionDesired: Bool = false, tcpOnly: Bool = false
        ) {
            self.timeout = timeout
            self.retries = retries
            self.udpPayloadSize = udpPayloadSize
            self.maximumUDPUpdateSize = maximumUDPUpdateSize
            self.recursionDesired = recursionDesired
            self.tcpOnly = tcpOnly
        }

        /// The number of attempts, at least one.
        var attempts: Int { max(0, retries) + 1 }
    }
}
