import Foundation

/// Reads a Localhost profile (OCI or Docker JSON) and checks its actions, operators,
/// architectures and flags, so a bad file is reported when the pod is admitted rather than
/// when a container starts. Errors name the file and the JSON path inside it.
public func loadSeccompProfile(path: String) throws -> SeccompProfile {
    let profile = try decodeSeccompProfile(try readProfileFile(path), path: path)
    do {
        // Any host will do: only the spelling of each field is checked here.
        let host = SeccompFilterPlan.Host(native: try SeccompFilterPlan.Host.current().native, kernel: [Int.max])
        _ = try SeccompFilterPlan(profile, capabilities: [], host: host)
    } catch {
        throw SeccompError.inFile(path: path, error)
    }
    return profile
}

func decodeSeccompProfile(_ data: Data, path: String) throws(SeccompError) -> SeccompProfile {
    do {
        return try JSONDecoder().decode(SeccompProfile.self, from: data)
    } catch let error as DecodingError {
        throw describe(error, path: path)
    } catch {
        throw .decode(path: path, field: "", reason: "\(error)")
    }
}

private func describe(_ error: DecodingError, path: String) -> SeccompError {
    switch error {
    case .keyNotFound(let key, let context):
        return .decode(path: path, field: jsonPath(context.codingPath + [key]), reason: "missing")
    case .typeMismatch(let type, let context):
        return .decode(path: path, field: jsonPath(context.codingPath), reason: "expected \(type)")
    case .valueNotFound(let type, let context):
        return .decode(path: path, field: jsonPath(context.codingPath), reason: "expected \(type), found null")
    case .dataCorrupted(let context):
        return .decode(path: path, field: jsonPath(context.codingPath), reason: context.debugDescription)
    @unknown default:
        return .decode(path: path, field: "", reason: "\(error)")
    }
}

/// `syscalls[3].args[0].op` from a coding path.
private func jsonPath(_ keys: [any CodingKey]) -> String {
    var result = ""
    for key in keys {
        if let index = key.intValue {
            result += "[\(index)]"
        } else {
            result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return result
}

/// POSIX reads rather than `Data(contentsOf:)`, whose errors do not reliably carry the errno.
private func readProfileFile(_ path: String) throws(SeccompError) -> Data {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
    defer { close(fd) }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n == 0 { return data }
        if n < 0 {
            if errno == EINTR { continue }
            throw .unreadable(path: path, errno: errno)
        }
        data.append(contentsOf: buffer[..<n])
    }
}
