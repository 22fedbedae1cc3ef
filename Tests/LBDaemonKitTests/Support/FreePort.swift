import LBTestSupport

/// Ports for the DNS servers of the publisher tests.
enum FreePort {
    /// A port on 127.0.0.1 free for both UDP and TCP, since DNS servers listen on both with the
    /// same number.
    static func udpAndTCP() throws -> Int {
        try Peers.freeUDPAndTCPPort()
    }
}
