import Foundation
import Testing

@testable import LBClientKit

@Suite("EOSCheck")
struct EOSCheckTests {
    /// A fake eosxd whose answer depends on the mount point; it records its arguments.
    private static let fakeEosxd = """
        echo "$@" >> "$(dirname "$0")/calls.log"
        case "$3" in
          /eos/broken) echo "error: Transport endpoint is not connected" >&2; exit 1 ;;
          /eos/io) echo "getxattr: Input/output error" >&2; exit 5 ;;
          /eos/old) echo "No such attribute" >&2; exit 1 ;;
          /eos/crash) kill -KILL $$ ;;
          /eos/noexec) exit 126 ;;
          *) echo "root://eosuser.cern.ch"; exit 0 ;;
        esac
        """

    private static func mounts(_ eosMounts: [String]) -> String {
        var text = "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
        text += "/dev/sda1 / ext4 rw,relatime 0 0\n"
        for mount in eosMounts {
            text += "eosxd \(mount) fuse rw,nosuid,nodev,relatime,user_id=0,group_id=0 0 0\n"
        }
        return text
    }

    private func run(mounts: String?, eosxd: String? = EOSCheckTests.fakeEosxd) async throws -> (
        CheckResult, [String]
    ) {
        let scratch = try Scratch()
        defer { scratch.remove() }
        if let mounts { try scratch.write("proc/mounts", mounts) }
        let program =
            try eosxd.map { try scratch.script("bin/eosxd", $0) } ?? scratch.path + "/bin/missing-eosxd"
        let result = try await EOSCheck(line: CheckFixtures.line(.eos)).run(
            in: CheckFixtures.context(root: scratch.path, eosxd: program))
        let calls = (try? String(contentsOfFile: scratch.path + "/bin/calls.log", encoding: .utf8)) ?? ""
        return (result, calls.split(separator: "\n").map(String.init).sorted())
    }

    @Test func healthyMountsPass() async throws {
        let (result, calls) = try await run(mounts: Self.mounts(["/eos/user", "/eos/project/a"]))
        #expect(result.passed, "\(result.detail)")
        #expect(calls == ["get eos.mgmurl /eos/project/a", "get eos.mgmurl /eos/user"])
    }

    @Test func noEOSMountPassesWithoutProbing() async throws {
        let (result, calls) = try await run(mounts: Self.mounts([]))
        #expect(result == .pass("no EOS mount"))
        #expect(calls.isEmpty)
    }

    @Test func brokenMountFails() async throws {
        let (result, _) = try await run(mounts: Self.mounts(["/eos/user", "/eos/broken"]))
        #expect(result == .fail("/eos/broken: Transport endpoint is not connected"))
        let (io, _) = try await run(mounts: Self.mounts(["/eos/io"]))
        #expect(io == .fail("/eos/io: Input/output error"))
    }

    @Test func otherProbeFailuresAreIgnored() async throws {
        let (result, _) = try await run(mounts: Self.mounts(["/eos/old"]))
        #expect(result.passed)
    }

    @Test func probeThatCannotRunIsAnError() async throws {
        await #expect(throws: CheckError.self) { _ = try await run(mounts: Self.mounts(["/eos/noexec"])) }
        await #expect(throws: CheckError.self) { _ = try await run(mounts: Self.mounts(["/eos/crash"])) }
        await #expect(throws: CheckError.self) {
            _ = try await run(mounts: Self.mounts(["/eos/user"]), eosxd: nil)
        }
    }

    @Test func unreadableMountsIsAnError() async throws {
        await #expect(throws: CheckError.self) { _ = try await run(mounts: nil) }
    }

    @Test func mountSelection() {
        let text = """
            eosxd /eos/user fuse rw 0 0
            eosxd /eos/project/a fuse rw 0 0
            eosxd /eos/a/b/c fuse rw 0 0
            eosxd /eos/home fuse.eosxd rw 0 0
            eosxd /eos fuse rw 0 0
            eosxd /eos/x.y fuse rw 0 0
            eos-d_1 /eos/with_under-score fuse rw 0 0
            eosxd  /eos/double fuse rw 0 0
            eosxd /eos/trailing/ fuse rw 0 0
            eosxd /eos/short fuse
            """
        #expect(
            EOSCheck.eosMountPoints(in: text) == ["/eos/user", "/eos/project/a", "/eos/with_under-score"])
    }
}
