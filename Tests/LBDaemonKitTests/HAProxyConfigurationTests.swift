import Testing

@testable import LBDaemonKit

/// The per-alias `haproxy:` section of the native format (issue 15).
@Suite struct HAProxyConfigurationTests {
    private static func text(_ haproxy: String) -> String {
        """
        version: 1
        aliases:
          web.lb.example.org:
            members: [node1.example.org, node2.example.org]
        \(haproxy)

        """
    }

    private func errors(_ haproxy: String) -> String {
        do {
            _ = try ConfigurationLoader.parse(Self.text(haproxy), file: "lbd.yaml", format: nil)
            return ""
        } catch {
            return error.errors.map(\.description).joined(separator: "\n")
        }
    }

    @Test func everyFieldIsRead() throws {
        let loaded = try ConfigurationLoader.parse(
            Self.text(
                """
                    haproxy:
                      socket: /run/haproxy/admin.sock
                      backend: web
                      weights: {min: 10, max: 200, mapping: linear}
                      server_port: 8443
                      server_prefix: auto-
                      timeout: 500ms
                """), file: "lbd.yaml", format: nil)
        let settings = try #require(loaded.configuration.aliases.first?.haproxy)
        #expect(settings.socket == .unix(path: "/run/haproxy/admin.sock"))
        #expect(settings.backend == "web")
        #expect(settings.weights == HAProxyWeightMapping(minimum: 10, maximum: 200, curve: .linear))
        #expect(settings.serverPort == 8443)
        #expect(settings.serverPrefix == "auto-")
        #expect(settings.timeout == 0.5)
    }

    @Test func aTCPSocketAndTheDefaults() throws {
        let loaded = try ConfigurationLoader.parse(
            Self.text(
                """
                    haproxy: {socket: 127.0.0.1:9999, backend: web}
                """), file: "lbd.yaml", format: nil)
        let settings = try #require(loaded.configuration.aliases.first?.haproxy)
        #expect(settings.socket == .tcp(ServerAddress(host: "127.0.0.1", port: 9999)))
        #expect(settings.weights == HAProxyWeightMapping(minimum: 1, maximum: 256, curve: .inverse))
        #expect(settings.serverPort == 80)
        #expect(settings.serverPrefix == "lbd-")
    }

    @Test func anAliasWithoutTheSectionHasNoHAProxy() throws {
        let loaded = try ConfigurationLoader.parse(Self.text(""), file: "lbd.yaml", format: nil)
        #expect(loaded.configuration.aliases.first?.haproxy == nil)
        #expect(PublisherSet.make(for: loaded.configuration).isEmpty)
    }

    @Test func invalidValuesAreReportedWithFileAndLine() {
        let missing = errors("    haproxy: {socket: /run/a.sock}")
        #expect(missing.contains("lbd.yaml:5"), "\(missing)")
        #expect(missing.contains("needs backend"), "\(missing)")
        #expect(errors("    haproxy: {socket: /a.sock, backend: 'we b'}").contains("backend 'we b'"))
        #expect(errors("    haproxy: {socket: nowhere, backend: web}").contains("neither a UNIX socket path"))
        #expect(
            errors("    haproxy: {socket: /a.sock, backend: web, weights: {max: 300}}").contains(
                "weights max"))
        #expect(
            errors("    haproxy: {socket: /a.sock, backend: web, weights: {min: 0}}").contains("weights min"))
        #expect(
            errors("    haproxy: {socket: /a.sock, backend: web, weights: {min: 20, max: 10}}").contains(
                "min 20 is above max 10"))
        #expect(
            errors("    haproxy: {socket: /a.sock, backend: web, weights: {mapping: log}}").contains(
                "inverse or linear"))
        #expect(
            errors("    haproxy: {socket: /a.sock, backend: web, server_port: 0}").contains("server_port"))
        #expect(
            errors("    haproxy: {socket: /a.sock, backend: web, colour: red}").contains(
                "unknown key 'colour'"))
    }

    @Test func twoAliasesCannotDriveOneBackend() {
        let text = """
            version: 1
            aliases:
              a.lb.example.org:
                members: [n1.example.org]
                haproxy: {socket: /run/one.sock, backend: web}
              b.lb.example.org:
                members: [n2.example.org]
                haproxy: {socket: /run/one.sock, backend: web}

            """
        do {
            _ = try ConfigurationLoader.parse(text, file: "lbd.yaml", format: nil)
            Issue.record("two aliases on one backend were accepted")
        } catch {
            let message = error.errors.map(\.description).joined(separator: "\n")
            #expect(
                message.contains("lbd.yaml:6")
                    && message.contains("already driven by alias 'a.lb.example.org'"), "\(message)")
        }
    }

    @Test func theDistExampleLoads() throws {
        let text = try ConfigFixture.repositoryText("dist/lbd-haproxy.yaml")
        let configuration = try ConfigurationLoader.parse(text, file: "lbd-haproxy.yaml", format: nil)
            .configuration
        let app = try #require(configuration.alias(named: "app.lb.example.org"))
        #expect(app.haproxy?.backend == "app")
        #expect(app.haproxy?.socket == .unix(path: "/run/haproxy/admin.sock"))
        #expect(configuration.alias(named: "www.lb.example.org")?.haproxy == nil)
    }

    @Test func thePrinterWritesTheSectionBack() throws {
        let loaded = try ConfigurationLoader.parse(
            Self.text(
                "    haproxy: {socket: 127.0.0.1:9999, backend: web, weights: {max: 100}, timeout: 1.5s}"),
            file: "lbd.yaml", format: nil)
        let printed = NativeYAMLPrinter.render(loaded.configuration)
        let again = try ConfigurationLoader.parse(printed, file: "printed.yaml", format: nil)
        #expect(again.configuration == loaded.configuration)
    }

    @Test func onePublisherPerSocket() throws {
        let text = """
            version: 1
            aliases:
              a.lb.example.org:
                members: [n1.example.org]
                haproxy: {socket: /run/one.sock, backend: a}
              b.lb.example.org:
                members: [n1.example.org]
                haproxy: {socket: /run/one.sock, backend: b}
              c.lb.example.org:
                members: [n1.example.org]
                haproxy: {socket: 127.0.0.1:9999, backend: c}

            """
        let configuration = try ConfigurationLoader.parse(text, file: "lbd.yaml", format: nil).configuration
        let publishers = PublisherSet.make(for: configuration).compactMap { $0 as? HAProxyPublisher }
        #expect(publishers.count == 2)
        #expect(
            Set(publishers.first?.aliases.keys.map { $0 } ?? []) == ["a.lb.example.org", "b.lb.example.org"])
    }
}
