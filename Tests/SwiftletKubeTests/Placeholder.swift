import XCTest
final class PlaceholderTests_SwiftletKubeTests: XCTestCase { func testNothing() {} }
