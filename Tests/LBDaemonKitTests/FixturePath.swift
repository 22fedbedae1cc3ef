import Foundation

/// The path of a file under Tests/LBDaemonKitTests/Fixtures.
func fixturePath(_ relative: String) -> String {
    guard let root = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else {
        fatalError("the test bundle has no Fixtures resources")
    }
    return root.appendingPathComponent(relative).path
}
