import CCrypto

/// SHA-256 through libcrypto's EVP interface: blob digests are verified while layers stream in, so the
/// hash must run at disk speed. One instance hashes one stream; `finalize` ends it.
final class SHA256 {
    private let context: OpaquePointer
    private var finished = false
    /// Bytes hashed so far.
    private(set) var count: Int64 = 0

    init() {
        // Only allocation failure makes these fail; that is not recoverable here either.
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            preconditionFailure("libcrypto: cannot initialise a SHA-256 context")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        EVP_DigestUpdate(context, base, buffer.count)
        count += Int64(buffer.count)
    }

    func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    func update(_ text: String) {
        update(Array(text.utf8))
    }

    /// The 32-byte digest; the hasher cannot be updated afterwards.
    func finalize() -> [UInt8] {
        precondition(!finished, "SHA256.finalize called twice")
        finished = true
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest
    }

    /// "sha256:<hex>" of everything hashed.
    func finalizeDigest() -> String { "sha256:" + Self.hex(finalize()) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    static func hexDigest(_ text: String) -> String {
        let hasher = SHA256()
        hasher.update(text)
        return hex(hasher.finalize())
    }

    static func digest<Bytes: Collection>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeDigest()
    }
}
