import Foundation

/// Command-line options of `swiftlet-bench`; parsed by hand so the bench needs no argument library.
struct BenchOptions: Sendable {
    var runs = 20
    var pods = 50
    var batchRuns = 5
    var repo: String?
    /// Pods running during the API figures, one pass per size.
    var apiPods = [100]
    var apiClients = 200
    var apiSeconds = 30

    struct UsageError: Error, CustomStringConvertible {
        var option: String
        var reason: String
        var description: String { "\(option): \(reason)\n\(BenchOptions.usage)" }
    }

    static let usage = """
        usage: swiftlet-bench [--runs N] [--pods N] [--batch-runs N] [--api-pods N[,N...]] [--api-clients N]
                              [--api-seconds N] [--repo DIR]
          --runs N        single-pod start runs (default 20)
          --pods N        pods in the large batch (default 50)
          --batch-runs N  repetitions of the 10/20/N-pod batches (default 5)
          --api-pods N[,N...] pods running during the API figures, one pass per size (default 100); the
                          watch delay and the concurrent load run at the first size
          --api-clients N concurrent clients of the API load: list, watch, logs (default 200; 0 skips it)
          --api-seconds N how long the API load runs (default 30)
          --repo DIR      repository root holding scripts/make-busybox-rootfs (default: found from the executable)
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        func value(_ option: String) throws(UsageError) -> String {
            guard let next = rest.popFirst() else { throw UsageError(option: option, reason: "needs a value") }
            return next
        }
        func count(_ option: String, minimum: Int) throws(UsageError) -> Int {
            let text = try value(option)
            guard let n = Int(text), n >= minimum else {
                throw UsageError(option: option, reason: "\"\(text)\" is not an integer ≥ \(minimum)")
            }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--runs": options.runs = try count(argument, minimum: 1)
            case "--pods": options.pods = try count(argument, minimum: 1)
            case "--batch-runs": options.batchRuns = try count(argument, minimum: 1)
            case "--api-pods":
                let text = try value(argument)
                let sizes = text.split(separator: ",").compactMap { Int($0) }.filter { $0 >= 1 }
                guard !sizes.isEmpty, sizes.count == text.split(separator: ",", omittingEmptySubsequences: false).count else {
                    throw UsageError(option: argument, reason: "\"\(text)\" is not a comma-separated list of integers ≥ 1")
                }
                options.apiPods = sizes
            case "--api-clients": options.apiClients = try count(argument, minimum: 0)
            case "--api-seconds": options.apiSeconds = try count(argument, minimum: 1)
            case "--repo": options.repo = try value(argument)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw UsageError(option: argument, reason: "unknown option")
            }
        }
        return options
    }
}
