/// The names of lbd's metrics, in one place: the code, docs/operations.md and the Grafana
/// dashboard in dist/ use these, and a test checks that the dashboard queries no other.
public enum MetricName {
    /// Gauge per alias: how many addresses the latest decision publishes.
    public static let aliasPublishedAddresses = "lbd_alias_published_addresses"
    /// Gauge per alias: how many members were usable at the latest evaluation.
    public static let aliasUsableMembers = "lbd_alias_usable_members"
    /// Gauge per alias: how many members the alias has.
    public static let aliasMembers = "lbd_alias_members"
    /// Counter per alias: evaluations whose published set differs from the one before.
    public static let aliasDecisionChanges = "lbd_alias_decision_changes_total"
    /// Counter per alias and `policy` (random, empty, keep): evaluations with no usable member.
    public static let aliasPolicyFallbacks = "lbd_alias_policy_fallbacks_total"
    /// Counter per alias and `target`: publications that failed.
    public static let aliasPublishFailures = "lbd_alias_publish_failures_total"
    /// Counter by `outcome` (`ok` or a poll failure code): SNMP GETs of a node address.
    public static let snmpPolls = "lbd_snmp_polls_total"
    /// Histogram: the time one SNMP GET took, retries included.
    public static let snmpPollDuration = "lbd_snmp_poll_duration_seconds"
    /// Counter by `view`, `outcome` and, for failures, `code`: RFC 2136 UPDATE results.
    public static let dnsUpdates = "lbd_dns_updates_total"
    /// Counter by `secondary` and `outcome` (`ok` or a failure code): NOTIFYs of the embedded
    /// server.
    public static let dnsNotifies = "lbd_dns_notifies_total"
    /// Histogram: a batch, from the first poll to the last publication.
    public static let cycleDuration = "lbd_cycle_duration_seconds"
    /// Histogram: the polling part of a batch.
    public static let cyclePollDuration = "lbd_cycle_poll_duration_seconds"
    /// Gauge: the distinct nodes the latest batch polled.
    public static let cycleNodesPolled = "lbd_cycle_nodes_polled"
    /// Counter by `outcome` (ok, failed): configuration reloads.
    public static let reloads = "lbd_reloads_total"
    /// Gauge by `role` (active, standby): 1 for the role held, 0 for the other.
    public static let leadershipRole = "lbd_leadership_role"
    /// Gauge, always 1, with the `version` label.
    public static let buildInfo = "lbd_build_info"
    /// Gauge: how many aliases this instance serves.
    public static let aliasesServed = "lbd_aliases_served"
    /// Counter by `outcome` (accepted, unknown_source, or why the listener dropped it: wrong_digest,
    /// unknown_user...): SNMP notifications (push) received.
    public static let pushNotifications = "lbd_push_notifications_total"
    /// Counter: nodes re-polled because they pushed a notification.
    public static let pushRepolls = "lbd_push_repolls_total"
    /// Counter: notifications folded into a re-poll already queued or owed (per-node limit).
    public static let pushCoalesced = "lbd_push_coalesced_total"
    /// Counter: re-polls that waited for the overall limit (`max_per_second`).
    public static let pushRateLimited = "lbd_push_rate_limited_total"
    /// Counter: notifications dropped because the re-poll queue was full.
    public static let pushDropped = "lbd_push_dropped_total"
}
