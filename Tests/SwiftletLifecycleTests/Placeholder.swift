import XCTest
final class PlaceholderTests_SwiftletLifecycleTests: XCTestCase { func testNothing() {} }
