/// Why a benchmark step failed; each case names the thing it is about.
enum BenchError: Error, CustomStringConvertible {
    case timeout(what: String, after: Duration)
    case command(path: String, arguments: [String], status: Int32, output: String)
    case notFound(what: String, searched: [String])
    case io(path: String, reason: String)

    var description: String {
        switch self {
        case .timeout(let what, let after): "timed out after \(after) waiting for \(what)"
        case .command(let path, let arguments, let status, let output):
            "\(([path] + arguments).joined(separator: " ")) exited with \(status): \(output)"
        case .notFound(let what, let searched): "cannot find \(what); looked in \(searched.joined(separator: ", "))"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}
