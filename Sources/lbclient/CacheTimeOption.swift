import ArgumentParser

/// `--cache-time`, shared by the top-level command (`--pass-persist`) and `lbclient agent`.
///
/// One type for both, because swift-argument-parser lets a parent command read options written
/// after a subcommand's name: with an `@Option` of its own in each command, the parent took
/// `lbclient agent --cache-time 0` and the agent kept its default. An `@OptionGroup` of the same
/// type is decoded once and handed to the subcommand, so both see the value given.
struct CacheTimeOption: ParsableArguments {
    @Option(
        name: .customLong("cache-time"),
        help:
            "With --pass-persist or agent: evaluate at most this often; requests in between get the cached answer; 0 evaluates for every request (default: 10s).",
        transform: parseDuration)
    var cacheTime: Duration = .seconds(10)
}
