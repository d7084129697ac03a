import SwiftletKube
import XCTest

@testable import SwiftletLifecycle

/// `containerStatuses[].stopSignal` (KEP-4960): the signal the runtime would stop the container
/// with, reported once the runtime has the container.
final class StopSignalStatusTests: XCTestCase {
    func testStatusReportsTheEffectiveSignal() {
        var pod = makePod(containers: ["spec", "image", "default", "waiting"])
        pod.spec.containers[0].lifecycle = Lifecycle(stopSignal: "SIGUSR1")
        var observed = observe(
            seen("spec", running()), seen("image", running()), seen("default", exited(0)), seen("waiting", nil))
        observed.images["spec"] = ObservedImage(image: "a", imageID: "sha256:a", stopSignal: "SIGQUIT")
        observed.images["image"] = ObservedImage(image: "b", imageID: "sha256:b", stopSignal: "QUIT")
        let result = status(pod, observed)
        XCTAssertEqual(result.container("spec")?.stopSignal, "SIGUSR1")
        XCTAssertEqual(result.container("image")?.stopSignal, "SIGQUIT")
        XCTAssertEqual(result.container("default")?.stopSignal, "SIGTERM")
        XCTAssertNil(result.container("waiting")?.stopSignal)
    }
}
