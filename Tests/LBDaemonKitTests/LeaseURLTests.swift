import Foundation
import LBTestSupport
import Logging
import Testing

@testable import LBDaemonKit

/// `lease.url` is parsed by lbd itself so that nothing it prints repeats the password.
struct LeaseURLTests {
    @Test func aFullURLGivesEachPart() throws {
        let url = try PostgresURL(parsing: "postgres://lbd:s3cret@db.example.org:6432/leases")
        #expect(
            url
                == PostgresURL(
                    user: "lbd", password: "s3cret", host: "db.example.org", port: 6432, database: "leases"))
        #expect(url.description == "postgres://lbd@db.example.org:6432/leases")
        #expect(url.server == "db.example.org:6432/leases")
    }

    @Test func thePortDefaultsTo5432AndThePasswordIsOptional() throws {
        let url = try PostgresURL(parsing: "postgresql://lbd@127.0.0.1/lbd?sslmode=disable")
        #expect(url == PostgresURL(user: "lbd", host: "127.0.0.1", port: 5432, database: "lbd"))
    }

    @Test func anIPv6HostIsWrittenInBrackets() throws {
        let url = try PostgresURL(parsing: "postgres://lbd@[::1]:5433/lbd")
        #expect(url.host == "::1")
        #expect(url.port == 5433)
        #expect(url.server == "[::1]:5433/lbd")
    }

    @Test func percentEscapesAreDecodedSoAPasswordMayHoldAnAtSignOrAColon() throws {
        let url = try PostgresURL(parsing: "postgres://lb%20d:p%40ss%3Aw@host/d%2Fb")
        #expect(url.user == "lb d")
        #expect(url.password == "p@ss:w")
        #expect(url.database == "d/b")
        // An unescaped '@' in the password: the last '@' ends the user part.
        #expect(try PostgresURL(parsing: "postgres://lbd:p@ss@host/db").password == "p@ss")
        #expect(try PostgresURL(parsing: "postgres://lbd:p/ss@host/db").password == "p/ss")
    }

    @Test(arguments: [
        ("mysql://lbd:pw-secret-1@host/db", "postgres://"),
        ("postgres://lbd:pw-secret-1@host", "database name is missing"),
        ("postgres://lbd:pw-secret-1@host/", "database name is missing"),
        ("postgres://host/db", "user is missing"),
        ("postgres://:pw-secret-1@host/db", "user is missing"),
        ("postgres://lbd:pw-secret-1@/db", "host is missing"),
        ("postgres://lbd:pw-secret-1@host:99999/db", "port must be a number"),
        ("postgres://lbd:pw-secret-1@host:x/db", "port must be a number"),
        ("postgres://lbd:pw-secret-1@[::1/db", "IPv6"),
        ("postgres://lbd:pw-secret-1@host/db?sslmode=require", "sslmode"),
    ])
    func aMalformedURLIsRefusedWithoutRepeatingIt(text: String, expected: String) {
        #expect {
            try PostgresURL(parsing: text)
        } throws: { error in
            guard let error = error as? LeaseError, case .invalidURL = error else { return false }
            return error.description.contains(expected) && !error.description.contains("pw-secret-1")
        }
    }

    @Test func aTableThatIsNotAPlainIdentifierIsRefused() throws {
        let url = try PostgresURL(parsing: "postgres://lbd@host/db")
        for table in [
            "lease; DROP TABLE x", "1lease", "", "lease-table", "\"quoted\"",
            String(repeating: "a", count: 64),
        ] {
            #expect(throws: LeaseError.invalidTable(table)) {
                try LeaseStore(url: url, table: table, logger: Logger(label: "test"))
            }
        }
        _ = try LeaseStore(url: url, table: "_Lease_2", logger: Logger(label: "test"))
    }

    @Test func aMissingURLIsATypedError() {
        #expect {
            try LeaseLeadership(
                settings: LeaseSettings(), partition: "default", instance: "lbd-a",
                logger: Logger(label: "test"))
        } throws: { error in
            guard let error = error as? LeaseError, case .invalidURL = error else { return false }
            return true
        }
    }

    @Test func everyErrorReadsAsASentence() {
        let errors: [LeaseError] = [
            .invalidURL(reason: "r"), .passwordFileUnreadable(path: "/p", reason: "r"), .invalidTable("t"),
            .unreachable(server: "s", reason: "r"),
            .authenticationFailed(server: "s", user: "u", message: "m"),
            .timedOut(server: "s", operation: "renew", seconds: 3.3),
            .connectionLost(server: "s", operation: "o", reason: "r"),
            .serverError(server: "s", operation: "o", sqlState: "42P01", message: "m"),
            .cancelled(operation: "o"),
        ]
        #expect(Formatting.unformatted(errors).isEmpty)
        #expect(
            LeaseError.timedOut(server: "s", operation: "renew", seconds: 3.3).description.contains("3.3 s"))
        #expect(LeaseError.timedOut(server: "s", operation: "renew", seconds: 1).description.contains("1 s"))
    }
}
