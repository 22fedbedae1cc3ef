import Foundation

/// How an lbclient load becomes an HAProxy weight percentage: lower load, higher weight.
///
/// The scale is logarithmic, so that the whole usable range 1...99999 maps onto 100...1 and
/// each tenfold load costs about 20 points: load 1 is 100%, 10 is 80%, 100 is 60%, 1000 is
/// 41%, 10000 is 21%, 99999 is 1%. A usable load never gives 0%, which HAProxy would show as
/// DRAIN; loads above the usable range are ``HAProxyAgentReply/drain(reason:)`` instead.
public enum LoadWeight {
    /// The highest load lbd still treats as usable; the weight is 1% there.
    public static let highestUsableLoad = 99999

    /// The percentage for a usable `load` (clamped to 1...highestUsableLoad first).
    public static func percent(forLoad load: Int) -> Int {
        let clamped = Double(min(highestUsableLoad, max(1, load)))
        let fraction = log(clamped) / log(Double(highestUsableLoad))
        return max(1, min(100, 100 - Int((99 * fraction).rounded())))
    }
}
