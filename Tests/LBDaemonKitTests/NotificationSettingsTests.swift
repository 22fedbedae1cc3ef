import Foundation
import LBCore
import Testing

@testable import LBDaemonKit

/// `snmp.notifications:` in the native format: off by default, every key, errors with file and
/// line, `check-config --print` and the reload guard.
@Suite struct NotificationSettingsTests {
    static let aliases = """
        aliases:
          www.example.org:
            members: [node1.example.org]
        """

    private func snmp(_ body: String) throws -> SNMPSettings {
        try ConfigTest.load("version: 1\nsnmp:\n  auth_password: a-long-password\n" + body + Self.aliases)
            .configuration.snmp
    }

    @Test func offByDefaultWithOneSecondPerNodeAnd50PerSecond() throws {
        let settings = try ConfigTest.load("version: 1\n" + Self.aliases).configuration.snmp.notifications
        #expect(settings == SNMPNotificationSettings())
        #expect(settings.listen == nil)
        #expect(settings.perNodeInterval == 1)
        #expect(settings.maximumPerSecond == 50)
    }

    @Test func everyKeyIsRead() throws {
        let settings = try snmp(
            "  notifications:\n    listen: 192.0.2.1:1162\n    per_node_interval: 500ms\n    max_per_second: 20\n"
        ).notifications
        #expect(
            settings
                == SNMPNotificationSettings(
                    listen: ServerAddress(host: "192.0.2.1", port: 1162), perNodeInterval: 0.5,
                    maximumPerSecond: 20))
    }

    @Test(arguments: [
        ("0.0.0.0", "0.0.0.0", 162), ("::", "::", 162), ("[::]:1162", "::", 1162),
        ("127.0.0.1", "127.0.0.1", 162),
    ])
    func aHostAloneListensOnPort162AndWildcardsAreAllowed(text: String, host: String, port: Int) throws {
        let listen = try snmp("  notifications:\n    listen: \"\(text)\"\n").notifications.listen
        #expect(listen == ServerAddress(host: host, port: port))
    }

    @Test(arguments: ["off", "null", "false"])
    func offNullOrFalseIsNoListener(text: String) throws {
        #expect(try snmp("  notifications:\n    listen: \(text)\n").notifications.listen == nil)
    }

    @Test(arguments: [
        ("  notifications:\n    listen: lbd.example.org\n", 5, "must be an IP address"),
        ("  notifications:\n    listen: 127.0.0.1:99999\n", 5, "port must be a number"),
        ("  notifications:\n    per_node_interval: 0s\n", 5, "per_node_interval must be more than 0"),
        ("  notifications:\n    per_node_interval: 2h\n", 5, "at most 1h"),
        ("  notifications:\n    max_per_second: 0\n", 5, "max_per_second must be from 1 to 10000"),
        ("  notifications:\n    listen_on: 127.0.0.1\n", 5, "listen_on"),
    ])
    func mistakesNameTheFileAndLine(text: String, line: Int, message: String) throws {
        let issues = ConfigTest.failure(
            "version: 1\nsnmp:\n  auth_password: a-long-password\n" + text + Self.aliases, file: "lbd.yaml"
        ).issues
        let matching = issues.filter { $0.description.contains(message) }
        #expect(!matching.isEmpty, "\(issues)")
        #expect(matching.contains { $0.description.contains("lbd.yaml:\(line)") }, "\(matching)")
    }

    @Test func aListenerWithoutAuthenticationIsWarnedAbout() throws {
        let loaded = try ConfigTest.load(
            "version: 1\nsnmp:\n  notifications:\n    listen: 127.0.0.1\n" + Self.aliases)
        #expect(
            loaded.warnings.contains { "\($0)".contains("accept unauthenticated INFORMs") },
            "\(loaded.warnings)")
    }

    @Test func checkConfigPrintsTheSettingsAndReadsThemBack() throws {
        var configuration = try ConfigTest.load("version: 1\n" + Self.aliases).configuration
        let printedDefault = NativeYAMLPrinter.render(configuration)
        #expect(
            printedDefault.contains(
                "notifications:\n    listen: off\n    per_node_interval: 1s\n    max_per_second: 50"))
        configuration.snmp.authPassword = "a-long-password"
        configuration.snmp.notifications = SNMPNotificationSettings(
            listen: ServerAddress(host: "::", port: 1162), perNodeInterval: 0.25, maximumPerSecond: 7)
        let printed = NativeYAMLPrinter.render(configuration)
        #expect(
            printed.contains("listen: '[::]:1162'") || printed.contains("listen: \"[::]:1162\""), "\(printed)"
        )
        #expect(try ConfigTest.load(printed).configuration == configuration)
    }

    @Test func aReloadThatChangesTheListenerNamesTheKey() throws {
        let old = try ConfigTest.load("version: 1\n" + Self.aliases).configuration
        var new = old
        new.snmp.notifications.listen = ServerAddress(host: "127.0.0.1", port: 162)
        #expect(StartOnlySettings.changed(from: old, to: new) == ["snmp.notifications.listen"])
    }

    @Test func anIPv4AddressMappedIntoIPv6IsTheIPv4Address() throws {
        let mapped = try #require(NodeAddress("::ffff:192.0.2.7"))
        #expect(NotificationService.unmapped(mapped) == NodeAddress("192.0.2.7"))
        #expect(NotificationService.unmapped(NodeAddress("2001:db8::1")!) == NodeAddress("2001:db8::1"))
    }
}
