import NIOCore
import NIOPosix
import SNMP

/// The load `lbbench snmp` and `lbbench lbclient --agent` put on SNMP agents: the SNMP library's
/// client GETting one OID with at most `inFlight` requests outstanding, timing each.
struct SNMPLoad {
    /// Requests outstanding at once; 1 is one request at a time, as lbd polls one node.
    var inFlight: Int
    /// A run stops after this many seconds, whatever is left.
    var maxSeconds: Double
    /// Runs the client's socket and every request on one event loop thread, so that the
    /// client's own cost per request is as low as it goes and the servers' differences show.
    var pinned = false
    var oid = OID(BenchmarkCredentials.loadOID)!

    /// `requests` GETs spread round-robin over `addresses`; the client's own CPU is in the result.
    func measure(addresses: [SocketAddress], credentials: SNMPCredentials, requests: Int) async throws
        -> BenchmarkResult
    {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let client =
            pinned
            ? try await SNMPClient.start(maximumInFlight: inFlight, eventLoopGroup: loop)
            : try await SNMPClient.start(maximumInFlight: inFlight)
        defer { Task { await client.shutdown() } }
        let oid = self.oid
        // Warm up: discover every engine and localise keys before the clock starts.
        for address in addresses {
            _ = try await client.get([oid], from: address, credentials: credentials, timeout: .seconds(5))
        }
        let counters = Counters()
        let deadline = ContinuousClock.now + .seconds(maxSeconds)
        let cpuBefore = processCPUSeconds()
        let started = ContinuousClock.now
        let latencies = try await withTaskExecutorPreference(pinned ? EventLoopTaskExecutor(loop) : nil) {
            try await withThrowingTaskGroup(of: [Double].self) { group in
                for _ in 0..<min(inFlight, requests) {
                    group.addTask {
                        var mine: [Double] = []
                        while true {
                            let index = counters.next.wrappingAdd(1, ordering: .relaxed).oldValue
                            guard index < requests, ContinuousClock.now < deadline else { return mine }
                            let begin = ContinuousClock.now
                            do {
                                _ = try await client.get(
                                    [oid], from: addresses[index % addresses.count], credentials: credentials,
                                    timeout: .seconds(2), retries: 1)
                                let elapsed = ContinuousClock.now - begin
                                mine.append(
                                    Double(elapsed.components.attoseconds) / 1e12 + Double(
                                        elapsed.components.seconds) * 1e6)
                            } catch {
                                counters.failures.wrappingAdd(1, ordering: .relaxed)
                            }
                        }
                    }
                }
                var all: [Double] = []
                all.reserveCapacity(requests)
                for try await part in group { all += part }
                return all
            }
        }
        let wall = ContinuousClock.now - started
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        return BenchmarkResult(
            completed: latencies.count, failed: counters.failures.load(ordering: .relaxed), seconds: seconds,
            cpuSeconds: processCPUSeconds() - cpuBefore, latenciesMicroseconds: latencies.sorted())
    }
}
