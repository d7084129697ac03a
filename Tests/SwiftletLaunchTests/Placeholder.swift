import XCTest
final class PlaceholderTests_SwiftletLaunchTests: XCTestCase { func testNothing() {} }
