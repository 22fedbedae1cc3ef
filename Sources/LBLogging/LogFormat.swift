/// How log lines look: `text` for people, `json` (one object per line) for log pipelines.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}
