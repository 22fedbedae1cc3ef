import Foundation
import LBTestSupport
import Testing

@testable import LBDaemonKit

/// The partitions of one shared file: `check-config`'s list of the aliases per partition, and
/// the check that the partition an instance serves exists (a typo must not start an lbd that
/// serves nothing).
@Suite struct PartitionListingTests {
    static let shared = """
        aliases:
          www.example.org: {members: [n1], partition: web}
          api.example.org: {members: [n2], partition: web}
          batch.example.org: [n3]
          db.example.org: {members: [n4], partition: data}

        """

    static func configuration(partition: String?) throws -> Configuration {
        var configuration = try ConfigTest.load(Self.shared).configuration
        configuration.partition = partition
        return configuration
    }

    @Test func partitionsAreListedByNameWithTheirAliasesSorted() throws {
        let partitions = try Self.configuration(partition: nil).partitions
        #expect(
            partitions == [
                AliasPartition(name: "data", aliases: ["db.example.org"]),
                AliasPartition(name: "default", aliases: ["batch.example.org"]),
                AliasPartition(name: "web", aliases: ["api.example.org", "www.example.org"]),
            ])
    }

    @Test func theSummaryListsTheAliasesOfEachPartitionAndWhatThisInstanceServes() throws {
        var loaded = try ConfigTest.load(Self.shared, file: "shared.yaml")
        loaded.configuration.partition = "web"
        let lines = ConfigurationSummary.render(loaded, file: "shared.yaml").split(separator: "\n").map(
            String.init)
        let web = try #require(lines.firstIndex(of: "partition web: 2 alias(es) (served by this instance)"))
        #expect(lines[web + 1] == "  aliases: api.example.org www.example.org")
        let data = try #require(lines.firstIndex(of: "partition data: 1 alias(es)"))
        #expect(lines[data + 1] == "  aliases: db.example.org")
        #expect(lines.contains("this instance serves partition web: 2 of 4 alias(es)"))
        // The counts line and the per-alias lines the other summary tests read are unchanged.
        #expect(lines.contains("4 alias(es), 4 member(s), 4 distinct node(s), 3 partition(s)"))
        #expect(lines.contains { $0.hasPrefix("alias db.example.org: ") && $0.hasSuffix(", partition data") })
    }

    @Test func withoutAPartitionTheSummaryNamesNoServedPartition() throws {
        let loaded = try ConfigTest.load(Self.shared, file: "shared.yaml")
        let text = ConfigurationSummary.render(loaded, file: "shared.yaml")
        #expect(!text.contains("served by this instance"))
        #expect(!text.contains("this instance serves"))
        #expect(text.contains("partition default: 1 alias(es)\n  aliases: batch.example.org\n"))
    }

    @Test func manyAliasesAreWrappedUnderTheFirstName() {
        let names = (1...30).map { "alias-\($0).example.org" }
        let lines = ConfigurationSummary.wrapped(names, first: "  aliases: ")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= ConfigurationSummary.width })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 11)) })
        let words = lines.flatMap { $0.split(separator: " ") }.map(String.init)
        #expect(words == ["aliases:"] + names)
        // A name longer than the line is kept whole, on a line of its own.
        let long = String(repeating: "x", count: 120)
        #expect(ConfigurationSummary.wrapped(["a", long, "b"], first: "  aliases: ").count == 3)
    }

    @Test func aPartitionThatExistsIsNoProblem() throws {
        #expect(try Self.configuration(partition: "web").partitionProblem() == nil)
        #expect(try Self.configuration(partition: "default").partitionProblem() == nil)
        #expect(try Self.configuration(partition: nil).partitionProblem() == nil)
    }

    @Test func anUnknownPartitionNamesThePartitionsThatExist() throws {
        let problem = try #require(try Self.configuration(partition: "batch").partitionProblem())
        #expect(problem.partition == "batch")
        #expect(problem.existing.map(\.name) == ["data", "default", "web"])
        #expect(
            problem.description
                == "no alias is in partition 'batch': this instance would serve nothing; the partitions are: "
                + "data (1 alias), default (1 alias), web (2 aliases)")
    }

    @Test(arguments: [("wbe", "web"), ("Web", "web"), ("dat", "data"), ("defualt", "default")])
    func aTypoGetsASuggestion(typo: String, meant: String) throws {
        let problem = try #require(try Self.configuration(partition: typo).partitionProblem())
        #expect(problem.suggestion == meant)
        #expect(problem.description.hasSuffix("; did you mean '\(meant)'?"))
    }

    @Test(arguments: ["batch", "x", "frontend"])
    func aDifferentNameGetsNoSuggestion(name: String) throws {
        let problem = try #require(try Self.configuration(partition: name).partitionProblem())
        #expect(problem.suggestion == nil, "\(problem)")
    }

    @Test func aPartitionInAFileWithoutAliasesIsAProblemToo() {
        let problem = Configuration(partition: "web").partitionProblem()
        #expect(
            problem?.description
                == "no alias is in partition 'web': this instance would serve nothing (the configuration has no alias)"
        )
    }

    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(UnknownPartition.editDistance("web", "web") == 0)
        #expect(UnknownPartition.editDistance("web", "webs") == 1)
        #expect(UnknownPartition.editDistance("web", "wb") == 1)
        #expect(UnknownPartition.editDistance("web", "wbe") == 2)
        #expect(UnknownPartition.editDistance("", "abc") == 3)
    }
}

/// `lbd check-config --partition`, as an operator runs it.
@Suite struct PartitionCheckConfigCommandTests {
    let cli = LBDCommandLineTests()

    func sharedFile() throws -> (directory: URL, path: String) {
        let directory = try Peers.temporaryDirectory("lbd-partition")
        let file = directory.appendingPathComponent("shared.yaml")
        try PartitionListingTests.shared.write(to: file, atomically: true, encoding: .utf8)
        return (directory, file.path)
    }

    @Test func listsTheAliasesPerPartitionAndWhatThePartitionServes() throws {
        let (directory, path) = try sharedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try cli.lbd("check-config", "--config", path, "--partition", "web")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("partition web: 2 alias(es) (served by this instance)\n"))
        #expect(run.stdout.contains("  aliases: api.example.org www.example.org\n"))
        #expect(run.stdout.contains("partition data: 1 alias(es)\n  aliases: db.example.org\n"))
        #expect(run.stdout.contains("this instance serves partition web: 2 of 4 alias(es)\n"))
        // The argument form gives the same summary.
        let positional = try cli.lbd("check-config", path, "--partition", "web")
        #expect(positional.stdout == run.stdout)
    }

    @Test func anUnknownPartitionExitsOneAndListsThePartitions() throws {
        let (directory, path) = try sharedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try cli.lbd("check-config", "--config", path, "--partition", "wbe")
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr.contains(
                "\(path): error: no alias is in partition 'wbe': this instance would serve nothing; "
                    + "the partitions are: data (1 alias), default (1 alias), web (2 aliases); did you mean 'web'?"
            ),
            "\(run.stderr)")
    }

    @Test func theFilesOwnUnknownPartitionExitsOneToo() throws {
        let directory = try Peers.temporaryDirectory("lbd-partition")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("own.yaml")
        try ("partition: batch\n" + PartitionListingTests.shared).write(
            to: file, atomically: true, encoding: .utf8)
        let run = try cli.lbd("check-config", file.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: no alias is in partition 'batch'"), "\(run.stderr)")
        // --partition overrides the file's, as for `lbd run`.
        let overridden = try cli.lbd("check-config", file.path, "--partition", "data")
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(overridden.stdout.contains("this instance serves partition data: 1 of 4 alias(es)"))
    }

    @Test func theFileIsGivenOnce() throws {
        let (directory, path) = try sharedFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try cli.lbd("check-config").status != 0)
        let twice = try cli.lbd("check-config", path, "--config", path)
        #expect(twice.status != 0)
        #expect(twice.stderr.contains("give the configuration file once"), "\(twice.stderr)")
    }
}
