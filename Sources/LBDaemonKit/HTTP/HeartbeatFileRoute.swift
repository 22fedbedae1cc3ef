import Foundation
import Hummingbird

/// Serves the one heartbeat file at `/load-balancing/<heartbeat_file>`, as golbd's Apache did, so
/// that a golbd standby (or an lbd one) can read the active's heartbeat.
///
/// Only the configured name is served: the path on disk is fixed when the route is built and no
/// part of the request reaches it, so `..` or an encoded name cannot reach another file.
struct HeartbeatFileRoute: Sendable {
    /// The URL path prefix golbd's standby asks under.
    static let prefix = "load-balancing"
    /// A heartbeat is one line; anything much larger is not one and is not sent.
    static let sizeLimit = 64 * 1024

    let name: String
    let path: String

    init(directory: String, name: String) {
        self.name = name
        self.path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("\(Self.prefix)/:file") { _, context in
            try self.respond(to: context.parameters.get("file"))
        }
    }

    func respond(to requested: String?) throws -> Response {
        guard requested == name else { throw HTTPError(.notFound) }
        switch read() {
        case .missing:
            throw HTTPError(.notFound, message: "no heartbeat file\n")
        case .tooLarge:
            throw HTTPError(.internalServerError, message: "the heartbeat file is larger than 64 KiB\n")
        case .contents(let bytes):
            var headers = HTTPFields()
            headers[.contentType] = "text/plain"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    private enum Reading {
        case missing
        case tooLarge
        case contents([UInt8])
    }

    private func read() -> Reading {
        // A directory or a device under the name is no heartbeat.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let handle = FileHandle(forReadingAtPath: path)
        else { return .missing }
        defer { try? handle.close() }
        let data: Data
        do {
            // nil: the file is empty.
            data = try handle.read(upToCount: Self.sizeLimit + 1) ?? Data()
        } catch {
            return .missing
        }
        return data.count > Self.sizeLimit ? .tooLarge : .contents([UInt8](data))
    }
}
