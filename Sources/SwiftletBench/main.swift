import Foundation

// `sudo swiftlet-bench`: starts its own daemon, times pod start/stop and measures memory,
// prints a table and tears everything down. Not a test: figures go to Docs/benchmarks.md.

let options: BenchOptions
do { options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) } catch {
    FileHandle.standardError.write(Data("swiftlet-bench: \(error)\n".utf8))
    exit(2)
}
guard getuid() == 0 else {
    FileHandle.standardError.write(Data("swiftlet-bench: must run as root (namespaces, cgroups, mounts)\n".utf8))
    exit(2)
}
let paths: BenchPaths
do { paths = try BenchPaths.locate(repo: options.repo) } catch {
    FileHandle.standardError.write(Data("swiftlet-bench: \(error)\n".utf8))
    exit(1)
}

let bench = Bench(options: options, paths: paths)
var failure: (any Error)?
do {
    try bench.prepare()
    try bench.singlePodStarts()
    try bench.initPodStarts()
    try bench.batches()
    try bench.apiFigures()
} catch {
    failure = error
}
if let failure {
    bench.progress("failed: \(failure)")
    let log = (try? String(contentsOfFile: paths.daemonLog, encoding: .utf8)) ?? ""
    bench.progress("last lines of the daemon log:\n" + log.split(separator: "\n").suffix(30).joined(separator: "\n"))
}
bench.progress("tearing down")
let leaks = bench.tearDown()

let build = paths.swiftlet.contains("/release/") ? "release" : paths.swiftlet.contains("/debug/") ? "debug" : "unknown"
print("swiftlet-bench: \(build) build, \(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(paths.swiftlet)")
print("")
print(SampleTable.render(bench.timings))
print("")
print(SampleTable.render(bench.memorySamples()))
if !bench.apiReport.isEmpty {
    print("")
    print(bench.apiReport)
}
if let overhead = bench.perPodOverhead() {
    print("")
    print("runtime memory per pod: pause PSS mean + agent PSS growth per pod from 10 to \(options.pods) pods: "
        + "\(SampleTable.format(overhead.marginal)) KiB (charging all agent growth since idle: \(SampleTable.format(overhead.againstIdle)) KiB)")
}
print("")
// podman and runc/crun run side by side through scripts/bench-compare, which runs this bench too.
for line in bench.agentTrend() { print(line) }
for note in bench.notes { print("note: \(note)") }
for leak in leaks { print("LEAK: \(leak)") }
if let failure {
    print("FAILED: \(failure)")
}
exit(failure == nil && leaks.isEmpty ? 0 : 1)
