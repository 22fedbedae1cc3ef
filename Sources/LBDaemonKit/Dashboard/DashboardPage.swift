import Crypto
import Foundation

/// The frame every dashboard page shares: the document, a tiny inline style sheet, the
/// navigation, and the `Content-Security-Policy` that goes with them.
///
/// Invariant: a page loads nothing from anywhere (no script, no font, no image file, no style
/// sheet file), so it works with JavaScript off and behind any proxy; the policy says so to the
/// browser, which then refuses any script even if one slipped into a page.
enum DashboardPage {
    static let styleSheet = """
        body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
        header{background:#1d2b45;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:baseline}
        header a{color:#cfe0ff;text-decoration:none}header strong{font-size:1.1em}
        main{padding:1em 1.5em;max-width:1200px}
        h1{font-size:1.4em;margin:.3em 0}h2{font-size:1.1em;margin:1.4em 0 .4em}
        table{border-collapse:collapse;background:#fff;width:100%;font-size:.92em}
        th,td{border-bottom:1px solid #e3e6eb;padding:.35em .6em;text-align:left;vertical-align:top}
        th{background:#eef1f5}
        .status{display:inline-block;padding:0 .5em;border-radius:.6em;font-size:.85em;white-space:nowrap}
        .healthy{background:#d7f3dd}.degraded{background:#fff0c2}.none-usable,.failing{background:#fbd5d5}
        .not-evaluated{background:#e6e6e6}
        .chosen{font-weight:600}.muted{color:#6a7383}.empty{color:#6a7383;font-style:italic}
        nav.windows a,nav.windows strong{margin-right:.8em}
        form{margin:.6em 0}input,select,button{font-size:1em}
        svg{background:#fff;border:1px solid #e3e6eb;max-width:100%;height:auto}
        svg text{font-size:11px;fill:#4a5363}
        dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{color:#6a7383}dd{margin:0}
        """

    /// The policy of every dashboard response: nothing may load or run but the style sheet above.
    static let contentSecurityPolicy: String = {
        let hash = Data(SHA256.hash(data: Data(styleSheet.utf8))).base64EncodedString()
        return "default-src 'none'; style-src 'sha256-\(hash)'; img-src data:; form-action 'self'; "
            + "base-uri 'none'; frame-ancestors 'none'"
    }()

    /// A whole page: `title` (plain text, escaped here) and `body` (HTML, already escaped).
    static func render(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>\(HTMLText.escape(title)) · lbd</title>
        <style>\(styleSheet)</style>
        </head><body>
        <header><strong>lbd</strong><a href="/">Aliases</a><a href="/service">Service</a></header>
        <main>
        \(body)
        </main>
        </body></html>

        """
    }

    /// The page of a request for an alias lbd does not know.
    static func notFound(alias: String) -> String {
        render(
            title: "Unknown alias",
            body: """
                <h1>Unknown alias</h1>
                <p>lbd serves no alias named <code>\(HTMLText.escape(alias))</code>. \
                <a href="/">See every alias</a>.</p>
                """)
    }

    /// The links that choose a chart's window, the current one in bold.
    static func windowLinks(path: String, current: DashboardWindow) -> String {
        let links = DashboardWindow.allCases.map { window in
            window == current
                ? "<strong>\(window.label)</strong>"
                : "<a href=\"\(HTMLText.escape(path))?window=\(window.rawValue)\">\(window.label)</a>"
        }
        return "<nav class=\"windows\">Window: \(links.joined())</nav>"
    }
}
