/// `check xsessions`, `check swapping` and `check swaping`: keywords of the 2004 Perl client
/// that golbclient kept so old files still load. They inspect nothing and always pass; the
/// default load formula does not depend on them either.
public struct AlwaysPassCheck: Check {
    public let keyword: Keyword

    /// Anything after the keyword is ignored.
    public init(line: ConfigLine) throws {
        keyword = line.keyword
    }

    public func run(in context: CheckContext) async throws -> CheckResult {
        .pass("\(keyword.rawValue) is kept for old configuration files and always passes")
    }
}
