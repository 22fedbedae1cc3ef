import Hummingbird
import NIOCore

/// `GET /metrics`: lbd's metrics in the Prometheus text format, for Prometheus to scrape.
public struct MetricsRoutes: HTTPRoutes {
    /// The Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public let metrics: LBDMetrics
    private let leadership: (any Leadership)?

    /// - Parameter leadership: asked for the role at each scrape (`lbd_leadership_role`).
    public init(metrics: LBDMetrics, leadership: (any Leadership)? = nil) {
        self.metrics = metrics
        self.leadership = leadership
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.get("metrics") { [metrics, leadership] _, _ in
            if let leadership { metrics.recordLeadership(await leadership.status().role) }
            return Response(
                status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.emit())))
        }
    }
}
