import SwiftletClient
import XCTest

/// `kubectl events --for`: the field selector for each way of naming the object, and the errors.
final class EventsForTests: XCTestCase {
    func testSelectors() throws {
        let cases: [(String, String)] = [
            ("pod/web", "involvedObject.kind=Pod,involvedObject.name=web"),
            ("po/web", "involvedObject.kind=Pod,involvedObject.name=web"),
            ("Pods/web", "involvedObject.kind=Pod,involvedObject.name=web"),
            ("deploy/api", "involvedObject.kind=Deployment,involvedObject.name=api"),
            ("replicaset/api-5f7c9", "involvedObject.kind=ReplicaSet,involvedObject.name=api-5f7c9"),
            ("cronjobs/nightly", "involvedObject.kind=CronJob,involvedObject.name=nightly"),
            ("node/it-node", "involvedObject.kind=Node,involvedObject.name=it-node"),
        ]
        for (reference, selector) in cases {
            XCTAssertEqual(try EventsFor.fieldSelector(reference), selector, reference)
        }
    }

    func testErrors() {
        let cases: [(String, String)] = [
            ("web", "--for must be in resource/name form"),
            ("pod/", "--for must be in resource/name form"),
            ("/web", "--for must be in resource/name form"),
            ("pod/a/b", "--for must be in resource/name form"),
            ("widgets/w", "the server doesn't have a resource type \"widgets\""),
        ]
        for (reference, message) in cases {
            XCTAssertThrowsError(try EventsFor.fieldSelector(reference), reference) { error in
                XCTAssertEqual((error as? EventsFor.Invalid)?.description, message, reference)
            }
        }
    }
}
