import Foundation
import LBCore
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// `/api/v1/aliases/{alias}/history` over an in-memory history: the window (ISO-8601 or unix
/// seconds, 24 h by default, bounded), memberships, loads, decisions and shares, and the 400s.
@Suite struct APIHistoryTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func member(_ node: String, _ load: Int?, chosen: Bool) -> MemberRecord {
        MemberRecord(
            node: node, load: load, failure: load == nil ? "no_answer" : nil, chosen: chosen,
            reason: chosen
                ? "among the 1 least loaded members" : "usable, but 1 less loaded member(s) were chosen")
    }

    /// Two hours: n1 behind the alias for the first, n2 for the second.
    static func history() async throws -> InMemoryHistoryStore {
        let store = InMemoryHistoryStore(retention: 30 * 86_400)
        let start = now.addingTimeInterval(-7200)
        try await store.record([
            EvaluationRecord(
                alias: "web.example.org", at: start, policy: .bestN, published: ["192.0.2.1"],
                action: "updated",
                members: [member("n1", 3, chosen: true), member("n2", 9, chosen: false)]),
            EvaluationRecord(
                alias: "web.example.org", at: start.addingTimeInterval(3600), policy: .bestN,
                published: ["192.0.2.2"], action: "updated",
                members: [member("n1", 12, chosen: false), member("n2", 4, chosen: true)]),
        ])
        return store
    }

    static func server(history: (any HistoryStore)?) async throws -> RunningHTTPService {
        let configuration = Configuration(aliases: [
            AliasConfiguration(name: "web.example.org", members: ["n1", "n2"])
        ])
        let sources = DaemonStatusSources(
            evaluations: { [:] }, configuration: { configuration }, instance: { .sample }, ready: { true },
            history: history)
        return try await RunningHTTPService.start(
            settings: HTTPSettings(listen: ServerAddress(host: "127.0.0.1", port: 0)), sources: sources,
            routes: [APIRoutes(sources: sources, maximumHistoryWindow: 7 * 86_400, now: { now })])
    }

    @Test func theHistoryOfTheLastDayByDefault() async throws {
        let server = try await Self.server(history: try await Self.history())
        let answer = try await server.request("/api/v1/aliases/web.example.org/history")
        #expect(answer.status == 200)
        let history = try InstanceStatus.makeDecoder().decode(
            AliasHistoryAnswer.self, from: Data(answer.body))
        #expect(history.to == Self.now)
        #expect(history.from == Self.now.addingTimeInterval(-86_400))
        #expect(history.memberships.map(\.node) == ["n1", "n2"])
        #expect(history.memberships.first?.to == Self.now.addingTimeInterval(-3600))
        #expect(history.memberships.last?.to == nil)
        #expect(history.loads.count == 4)
        #expect(history.decisions.count == 2)
        #expect(history.decisions.last?.entered.map(\.node) == ["n2"])
        #expect(history.decisions.last?.left.map(\.node) == ["n1"])
        // Each node was behind the alias for one hour of the day.
        #expect(abs((history.shareBehindAlias["n1"] ?? 0) - 1.0 / 24) < 1e-9)
        #expect(abs((history.shareBehindAlias["n2"] ?? 0) - 1.0 / 24) < 1e-9)
        try await server.stop()
    }

    @Test func aWindowInISO8601OrUnixSeconds() async throws {
        let server = try await Self.server(history: try await Self.history())
        let from = Int(Self.now.timeIntervalSince1970) - 7200
        for query in [
            "from=\(from)&to=\(from + 7200)", "from=2025-12-31T22:00:00Z&to=2026-01-01T00:00:00Z",
            "from=2025-12-31T22:00:00.000Z&to=\(from + 7200)",
        ] {
            let answer = try await server.request("/api/v1/aliases/web.example.org/history?\(query)")
            #expect(answer.status == 200, "\(query)")
            let history = try InstanceStatus.makeDecoder().decode(
                AliasHistoryAnswer.self, from: Data(answer.body))
            #expect(history.from == Self.now.addingTimeInterval(-7200), "\(query)")
            #expect(abs((history.shareBehindAlias["n1"] ?? 0) - 0.5) < 1e-9, "\(query)")
            #expect(abs((history.shareBehindAlias["n2"] ?? 0) - 0.5) < 1e-9, "\(query)")
        }
        try await server.stop()
    }

    @Test func badParametersAre400WithAMessage() async throws {
        let server = try await Self.server(history: try await Self.history())
        let cases: [(String, String)] = [
            ("from=yesterday", "from 'yesterday' is not a time"),
            ("to=2026-13-01T00:00:00Z", "to '2026-13-01T00:00:00Z' is not a time"),
            ("from=-5", "from '-5' is not a time"),
            ("from=1767225600&to=1767222000", "from must be before to"),
            ("from=1767225600&to=1767225600", "from must be before to"),
            ("from=0", "the window is longer than the history keeps (604800 s)"),
            ("from=1e300", "from '1e300' is not a time"),
        ]
        for (query, message) in cases {
            let answer = try await server.request("/api/v1/aliases/web.example.org/history?\(query)")
            #expect(answer.status == 400, "\(query)")
            let error = try InstanceStatus.makeDecoder().decode(APIError.self, from: Data(answer.body))
            #expect(error.error == "bad_request", "\(query)")
            #expect(error.message.contains(message), "\(query): \(error.message)")
        }
        try await server.stop()
    }

    @Test func withTheHistoryOffItIs404SayingSo() async throws {
        let server = try await Self.server(history: nil)
        let answer = try await server.request("/api/v1/aliases/web.example.org/history")
        #expect(answer.status == 404)
        let error = try InstanceStatus.makeDecoder().decode(APIError.self, from: Data(answer.body))
        #expect(error.error == "history_off")
        #expect(error.message.contains("the history is off"))
        try await server.stop()
    }

    /// A store that can no longer be read: its reads fail as a full or lost database does.
    actor BrokenHistoryStore: HistoryStore {
        static let failure = HistoryError.failed("history.sqlite: database disk image is malformed")
        func record(_ evaluations: [EvaluationRecord]) throws(HistoryError) { throw Self.failure }
        func record(cycle: CycleRecord) throws(HistoryError) { throw Self.failure }
        func record(event: ServiceEvent) throws(HistoryError) { throw Self.failure }
        func aliasHistory(_ alias: String, from: Date, to: Date) throws(HistoryError) -> AliasHistory {
            throw Self.failure
        }
        func serviceHistory(from: Date, to: Date) throws(HistoryError) -> ServiceHistory {
            throw Self.failure
        }
        func maintain(now: Date) throws(HistoryError) { throw Self.failure }
    }

    @Test func aBrokenStoreIs500NamingItAndTheRestStillAnswers() async throws {
        let server = try await Self.server(history: BrokenHistoryStore())
        let answer = try await server.request("/api/v1/aliases/web.example.org/history")
        #expect(answer.status == 500)
        let error = try InstanceStatus.makeDecoder().decode(APIError.self, from: Data(answer.body))
        #expect(error.error == "history_failed")
        #expect(error.message == BrokenHistoryStore.failure.description)
        #expect(try await server.request("/api/v1/aliases").status == 200)
        try await server.stop()
    }
}
