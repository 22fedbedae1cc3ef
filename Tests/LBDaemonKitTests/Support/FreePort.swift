import Foundation
import LBTestSupport

/// Ports for the DNS servers of the publisher tests.
enum FreePort {
    /// A port on 127.0.0.1 free for UDP (per `Peers.freeUDPPort`) and also for TCP, since DNS
    /// servers listen on both with the same number.
    static func udpAndTCP() throws -> Int {
        for _ in 0..<20 {
            let port = try Peers.freeUDPPort()
            if tcpPortIsFree(port) { return port }
        }
        throw PeerError("no port free for both UDP and TCP")
    }

    private static func tcpPortIsFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }
}
