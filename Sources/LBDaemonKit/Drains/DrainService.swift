import ServiceLifecycle

/// The `DrainWatcher` as a service of `lbd run`: checks the drains file every `interval`
/// (a stat; the file is read only when it changed) and at each drain's expiry.
struct DrainService: Service {
    let watcher: DrainWatcher
    var interval: Duration = .seconds(1)

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await watcher.check()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
