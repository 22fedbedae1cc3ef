import DNS
import Foundation
import NIOCore
import Synchronization

/// `lbbench dns --attack`: what issue 12's crafted query costs our server against a plain one,
/// and how many plain queries are still answered while crafted ones flood in.
///
/// CPU is the server's own: the CPU time of its UDP threads (`DNSServer.udpThreadCPUSeconds`) and
/// event-loop threads (CLOCK_THREAD_CPUTIME_ID read on each loop), so the load generator's sends do not count. Queries are sent in windows and
/// each window's answers awaited, so the kernel drops none and every query counted was decoded.
struct DNSAttackBenchmark {
    let aliases: Int
    /// Queries of each kind in the CPU bursts.
    let queries: Int
    /// Plain queries per second during the flood runs, and how long each run lasts.
    let plainRate: Int
    let seconds: Int
    /// The crafted queries per second of each flood run (0: none, the baseline).
    let floodRates: [Int]

    static let window = 64

    func run() async throws {
        let zone = try DNSBenchmarkZone(aliases: aliases)
        let store = ZoneStore()
        store.replace(zone.zone)
        // One UDP socket: answers come back in the order of the queries, which the burst of
        // dropped responses relies on.
        let server = DNSServer(
            configuration: DNSServerConfiguration(host: "127.0.0.1", port: 0, udpSockets: 1), store: store)
        let address = try await server.start()
        do {
            try await measure(server: server, port: address.port!)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func measure(server: DNSServer, port: Int) async throws {
        let name = DNSBenchmarkZone.label(0) + ".lb.example"
        print(
            "# lbbench dns --attack on \(ProcessInfo.processInfo.activeProcessorCount) cores: server CPU per query "
                + "(its UDP and event-loop threads), \(queries) queries of each kind in windows of "
                + "\(Self.window)")

        let plain = try await burst(server: server, port: port) { DNSAttackPackets.plainQuery(name, id: $0) }
        let crafted = try await burst(server: server, port: port) { DNSAttackPackets.crafted(id: $0) }
        let dropped = try await droppedBurst(
            server: server, port: port, name: name, plainCost: plain.perQuery)
        print("kind                                   queries  answered   server CPU   CPU/query   × plain")
        for (label, result) in [
            ("plain A query (33 octets)", plain), ("crafted query, 1,321 questions (8 KB)", crafted),
            ("crafted, QR=1 (dropped unanswered)", dropped),
        ] {
            print(
                label.padding(toLength: 38, withPad: " ", startingAt: 0) + " "
                    + pad(result.sent, 8) + pad(result.answered, 10)
                    + pad(String(format: "%.3f s", result.cpu), 13)
                    + pad(String(format: "%.2f µs", result.perQuery * 1e6), 12)
                    + pad(String(format: "%.1f", result.perQuery / plain.perQuery), 10))
        }
        print()
        print(
            "# plain-query answer rate under a crafted flood: \(plainRate) plain queries/s for \(seconds) s, "
                + "crafted queries sent alongside at each rate")
        print("crafted/s   flood MB/s   plain sent   answered   answer rate")
        for rate in floodRates {
            let (sent, answered) = await answerRate(port: port, name: name, floodRate: rate)
            print(
                pad(rate, 9) + pad(String(format: "%.1f", Double(rate * 8_000) / 1e6), 13)
                    + pad(sent, 13) + pad(answered, 11)
                    + pad(String(format: "%.1f %%", 100 * Double(answered) / Double(max(1, sent))), 14))
        }
    }

    struct BurstResult {
        var sent: Int
        var answered: Int
        var cpu: Double
        var perQuery: Double { cpu / Double(max(1, answered)) }
    }

    /// Sends `queries` packets made by `packet` in windows, awaiting each window's answers.
    private func burst(server: DNSServer, port: Int, packet: (UInt16) -> [UInt8]) async throws -> BurstResult
    {
        let client = try LoopbackDatagramSocket(port: port)
        let before = await serverCPUSeconds(server)
        var sent = 0
        var answered = 0
        while sent < queries {
            let window = min(Self.window, queries - sent)
            for index in 0..<window { client.send(packet(UInt16(truncatingIfNeeded: sent + index))) }
            sent += window
            for _ in 0..<window {
                guard client.receive(timeoutMilliseconds: 1000) else { break }
                answered += 1
            }
        }
        return BurstResult(sent: sent, answered: answered, cpu: await serverCPUSeconds(server) - before)
    }

    /// Crafted responses, which get no answer: each window is followed by one plain query whose
    /// answer shows the window was read (one socket, one loop: in order); the plain queries' cost
    /// is taken off.
    private func droppedBurst(server: DNSServer, port: Int, name: String, plainCost: Double) async throws
        -> BurstResult
    {
        let client = try LoopbackDatagramSocket(port: port)
        let before = await serverCPUSeconds(server)
        var sent = 0
        var markers = 0
        while sent < queries {
            let window = min(Self.window, queries - sent)
            for index in 0..<window {
                client.send(DNSAttackPackets.crafted(id: UInt16(truncatingIfNeeded: index), response: true))
            }
            sent += window
            client.send(DNSAttackPackets.plainQuery(name, id: 1))
            if client.receive(timeoutMilliseconds: 1000) { markers += 1 }
        }
        let cpu = await serverCPUSeconds(server) - before - Double(markers) * plainCost
        return BurstResult(sent: sent, answered: sent, cpu: max(0, cpu))
    }

    /// The summed CPU time of the server's UDP threads and event-loop threads.
    private func serverCPUSeconds(_ server: DNSServer) async -> Double {
        var total = server.udpThreadCPUSeconds
        for loop in server.eventLoopGroup.makeIterator() {
            total += (try? await loop.submit { threadCPUSeconds() }.get()) ?? 0
        }
        return total
    }

    /// Plain queries at `plainRate` for `seconds` while another thread sends crafted queries at
    /// `floodRate`; how many plain ones were sent and answered (answers awaited 1 s after).
    private func answerRate(port: Int, name: String, floodRate: Int) async -> (sent: Int, answered: Int) {
        let stop = StopFlag()
        let seconds = Double(self.seconds)
        let plainRate = Double(self.plainRate)
        return await withCheckedContinuation { continuation in
            let flood = Thread {
                guard floodRate > 0, let socket = try? LoopbackDatagramSocket(port: port) else { return }
                let packet = DNSAttackPackets.crafted(id: 0xF00D)
                Self.paced(rate: Double(floodRate), seconds: seconds + 0.5, stop: stop) {
                    socket.send(packet)
                }
            }
            flood.start()
            Thread {
                guard let socket = try? LoopbackDatagramSocket(port: port) else {
                    continuation.resume(returning: (0, 0))
                    return
                }
                usleep(100_000)  // lets the flood start first
                var answered = 0
                let sent = Self.paced(rate: plainRate, seconds: seconds, stop: StopFlag()) {
                    socket.send(DNSAttackPackets.plainQuery(name, id: 7))
                    while socket.receive(timeoutMilliseconds: 0) { answered += 1 }
                }
                let drainUntil = Date().addingTimeInterval(1)
                while Date() < drainUntil {
                    if !socket.receive(timeoutMilliseconds: 50) { continue }
                    answered += 1
                }
                stop.set()
                continuation.resume(returning: (sent, min(answered, sent)))
            }.start()
        }
    }

    /// Calls `body` `rate` times a second for `seconds`, or until `stop`; returns the calls.
    @discardableResult
    private static func paced(rate: Double, seconds: Double, stop: StopFlag, _ body: () -> Void) -> Int {
        let start = Date()
        var done = 0
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if elapsed >= seconds || stop.isSet { break }
            let due = Int(elapsed * rate)
            while done < due {
                body()
                done += 1
            }
            usleep(500)
        }
        return done
    }

    private func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(1, width - text.count)) + text
    }
}

/// Set once, from any thread, to end a paced loop.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// The CPU time of the calling thread.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// A UDP socket connected to 127.0.0.1:`port`, with a large receive buffer.
final class LoopbackDatagramSocket: @unchecked Sendable {
    // Used by one thread at a time (each benchmark thread makes its own), hence unchecked.
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket() failed") }
        var size: Int32 = 4 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw BenchmarkError("connect() to 127.0.0.1:\(port) failed")
        }
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
    }

    /// Whether a datagram arrived within the timeout (0: only one already waiting).
    func receive(timeoutMilliseconds: Int32) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 2048)
        return buffer.withUnsafeMutableBytes {
            recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
        } > 0
    }
}
