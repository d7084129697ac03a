/// 128-bit FNV-1a, the hash the newest kubelet uses for static-pod UIDs (`hash/fnv.New128a`).
struct FNV1a128 {
    // offset basis 0x6c62272e07bb014262b821756295c58d, prime 2^88 + 0x13b
    private(set) var high: UInt64 = 0x6c62_272e_07bb_0142
    private(set) var low: UInt64 = 0x62b8_2175_6295_c58d

    mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes {
            low ^= UInt64(byte)
            // (high:low) * (2^88 + 0x13b) mod 2^128, split so nothing overflows silently.
            let (carry, lowProduct) = low.multipliedFullWidth(by: 0x13b)
            let newHigh = high &* 0x13b &+ carry &+ (low << 24)
            high = newHigh
            low = lowProduct
        }
    }

    mutating func update(_ string: String) { update(string.utf8) }

    /// Big-endian digest as 32 lowercase hex characters, like `hex.EncodeToString(h.Sum(nil))`.
    var hexDigest: String {
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(high) + hex(low)
    }
}
