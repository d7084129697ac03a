import Foundation
import SwiftletFuzz

// Built by scripts/fuzz with `--sanitize fuzzer -Xswiftc -DSWIFTLET_LIBFUZZER`: libFuzzer's own main drives
// LLVMFuzzerTestOneInput. In the regular build the executable replays corpus files instead.
#if SWIFTLET_LIBFUZZER
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
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
