/// A publisher that passes each publication on to another one (an RFC 2136 `DNSUpdatePublisher`)
/// and records in the state directory what each place shows afterwards, so that the address set
/// last published per alias and view survives a restart (for `lbd evaluate` and the HA standby).
public struct StateRecordingPublisher: Publisher {
    public let wrapped: any Publisher
    private let state: StateStore

    public init(wrapping publisher: any Publisher, state: StateStore) {
        self.wrapped = publisher
        self.state = state
    }

    public func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        let results = await wrapped.publish(publication, dryRun: dryRun)
        guard !dryRun else { return results }
        for result in results {
            switch result.action {
            case .updated, .unchanged:
                state.record(
                    StoredPublication(
                        alias: publication.alias, target: result.target, addresses: publication.addresses,
                        ttl: publication.ttl))
            case .wouldUpdate, .failed:
                // What the place shows is not known for sure: the last known record stays.
                continue
            }
        }
        return results
    }
}
