extension Configuration {
    /// Settings that are read and validated but that lbd does not act on yet, each with what
    /// happens instead. `lbd run` and `lbd check-config` print them as warnings, in these words.
    /// Every setting is acted on today; the list stays so that the next one is never silent.
    public var notImplementedWarnings: [String] {
        []
    }
}
