import XCTest
final class PlaceholderTests_SwiftletIntegrationTests: XCTestCase { func testNothing() {} }
