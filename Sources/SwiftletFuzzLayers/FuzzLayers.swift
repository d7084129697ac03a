import Foundation
import SwiftletFuzz

// See FuzzManifests.swift: libFuzzer's main in the fuzz build, a corpus replayer in the regular build.
#if SWIFTLET_LIBFUZZER
// One work directory for the whole fuzzing process (libFuzzer calls the target millions of times),
// created on first use (globals are lazy) and removed when libFuzzer exits.
private let target: LayerFuzzTarget = {
    do {
        let created = try LayerFuzzTarget()
        atexit { target.remove() }  // the global, initialized by the time libFuzzer exits
        return created
    } catch { fatalError("cannot create the fuzz work directory: \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLayer(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    target.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}
#else
@main
struct FuzzLayers {
    static func main() {
        guard let target = try? LayerFuzzTarget() else { fatalError("cannot create the fuzz work directory") }
        let status = FuzzReplay.main(Array(CommandLine.arguments.dropFirst())) { target.run($0) }
        target.remove()
        exit(status)
    }
}
#endif
