import Foundation
import Testing

@testable import LBDaemonKit

/// `history:` in the native format: defaults, every key, and errors that name the file and line.
@Suite struct HistorySettingsTests {
    static let aliases = """
        aliases:
          www.example.org:
            members: [node1.example.org]
        """

    @Test func theDefaultIsSQLiteInTheStateDirectoryFor30Days() throws {
        let configuration = try ConfigTest.load("version: 1\n" + Self.aliases).configuration
        #expect(configuration.history == HistorySettings())
        #expect(configuration.history.store == .sqlite)
        #expect(configuration.history.retention == 30 * 86_400)
        #expect(configuration.history.rawRetention == 2 * 86_400)
        #expect(
            configuration.history.sqlitePath(stateDirectory: "/var/lib/lbd/") == "/var/lib/lbd/history.sqlite"
        )
    }

    @Test func everyKeyIsRead() throws {
        let configuration = try ConfigTest.load(
            """
            version: 1
            history:
              store: postgresql
              url: postgres://lbd@db.example.org/lbd
              password_file: /etc/lbd/db-password
              path: /srv/lbd/history.sqlite
              retention: 90d
              raw_retention: 36h
            """ + "\n" + Self.aliases
        ).configuration
        #expect(
            configuration.history
                == HistorySettings(
                    store: .postgresql, path: "/srv/lbd/history.sqlite",
                    url: "postgres://lbd@db.example.org/lbd",
                    passwordFile: "/etc/lbd/db-password", retention: 90 * 86_400, rawRetention: 36 * 3_600))
        let off = try ConfigTest.load("version: 1\nhistory:\n  store: off\n" + Self.aliases).configuration
        #expect(off.history.store == .off)
        let memory = try ConfigTest.load(
            "version: 1\nhistory: {store: memory, retention: 1d, raw_retention: 1d}\n" + Self.aliases
        )
        .configuration
        #expect(memory.history.store == .memory && memory.history.retention == 86_400)
    }

    @Test(arguments: [
        ("history:\n  store: mysql\n", 3, "history store must be sqlite, postgresql, memory or off"),
        ("history:\n  store: postgresql\n", 3, "needs url"),
        ("history:\n  url: mysql://x@y/z\n", 3, "history url must start with postgres://"),
        ("history:\n  retention: 1d\n  raw_retention: 2d\n", 4, "must not be longer than retention"),
        ("history:\n  retention: 10s\n", 3, "from 5m to 3650d"),
        ("history:\n  retention: soon\n", 3, "such as 30d"),
        ("history:\n  colour: blue\n", 3, "colour"),
    ])
    func mistakesNameTheFileAndLine(text: String, line: Int, message: String) throws {
        let issues = ConfigTest.failure("version: 1\n" + text + Self.aliases, file: "lbd.yaml").issues
        let matching = issues.filter { $0.description.contains(message) }
        #expect(!matching.isEmpty, "\(issues)")
        #expect(matching.contains { $0.description.contains("lbd.yaml:\(line)") }, "\(matching)")
    }

    @Test func aPasswordInTheURLIsNeverRepeatedInAnError() {
        let issues = ConfigTest.failure("version: 1\nhistory:\n  url: http://u:s3cret@h/d\n" + Self.aliases)
            .issues
        #expect(!issues.isEmpty)
        #expect(!issues.contains { $0.description.contains("s3cret") })
    }

    @Test func aStoreThatCannotBeOpenedLeavesLbdWithoutHistory() throws {
        let quiet = HistoryRecorderTests.quiet
        let settings = HistorySettings(path: "/nonexistent/dir/history.sqlite")
        #expect(
            HistoryStoreFactory.open(settings, stateDirectory: "/tmp", instance: "i", logger: quiet) == nil)
        #expect(
            HistoryStoreFactory.open(
                HistorySettings(store: .off), stateDirectory: "/tmp", instance: "i", logger: quiet) == nil)
        #expect(
            HistoryStoreFactory.open(
                HistorySettings(store: .memory), stateDirectory: "/tmp", instance: "i", logger: quiet) != nil)
    }
}

/// `check-config --print` writes `history:` when it is not the default, and reads it back.
@Suite struct HistorySettingsPrinterTests {
    @Test func aNonDefaultHistoryIsPrintedAndReadBack() throws {
        var configuration = try ConfigTest.load("version: 1\n" + HistorySettingsTests.aliases).configuration
        configuration.history = HistorySettings(
            store: .postgresql, url: "postgres://lbd@db/lbd", passwordFile: "/etc/lbd/pw",
            retention: 90 * 86_400,
            rawRetention: 3_600)
        let printed = NativeYAMLPrinter.render(configuration)
        #expect(printed.contains("history:"))
        #expect(try ConfigTest.load(printed).configuration == configuration)
    }
}
