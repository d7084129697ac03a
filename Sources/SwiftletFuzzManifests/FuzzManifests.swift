import Foundation
import SwiftletFuzz

#if SWIFTLET_LIBFUZZER
import CFuzzerDriver

// Built by scripts/fuzz with `-sanitize=fuzzer,address -DSWIFTLET_LIBFUZZER`: SwiftPM links this entry point
// as main, and it hands control to libFuzzer. In the regular build the executable replays corpus files.
@_cdecl("swiftlet_fuzz_manifests_main")
public func fuzzManifestsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
        ManifestFuzzTarget.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }
}

// libFuzzer's runtime references the classic entry point too (-runs=0, merge), so it is defined as well.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ManifestFuzzTarget.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}
#else
@main
struct FuzzManifests {
    static func main() {
        exit(FuzzReplay.main(Array(CommandLine.arguments.dropFirst()), ManifestFuzzTarget.run))
    }
}
#endif
