import Foundation
import SwiftletKube

/// The server's JSON: the shared Kubernetes configuration, compact.
enum KubeJSONEncoding {
    static func encode<T: Encodable>(_ value: T) throws -> Data { try KubeJSON.encode(value) }
}
