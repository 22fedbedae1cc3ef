/// The lines of a configuration text, without their line ends (LF or CRLF).
///
/// Splitting on the Character "\n" would not work: Swift treats "\r\n" as one Character.
func textLines(_ text: String) -> [Substring] {
    text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
}
