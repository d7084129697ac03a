import Foundation
import SwiftletFuzz

#if SWIFTLET_LIBFUZZER
import CFuzzerDriver

// See FuzzManifests.swift: libFuzzer in the fuzz build, a corpus replayer in the regular build.
// One work directory for the whole fuzzing process (libFuzzer calls the target millions of times),
// created on first use (globals are lazy) and removed when libFuzzer exits.
private let target: LayerFuzzTarget = {
    do {
        let created = try LayerFuzzTarget()
        atexit { target.remove() }  // the global, initialized by the time libFuzzer exits
        return created
    } catch { fatalError("cannot create the fuzz work directory: \(error)") }
}()

@_cdecl("swiftlet_fuzz_layers_main")
public func fuzzLayersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
        target.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }
}

// libFuzzer's runtime references the classic entry point too (-runs=0, merge), so it is defined as well.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
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
