// OpenSSL's libcrypto (Debian: libssl-dev): SHA-256 of image blobs at disk speed while they stream
// in (a pure-Swift digest was ~20x slower in debug builds, which the tests use).
#include <openssl/evp.h>
