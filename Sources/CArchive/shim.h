// libarchive (Debian: libarchive-dev): reads image layers and image archives (tar; gzip, zstd or plain).
// sys/xattr.h is here because Glibc's module does not export fsetxattr, which the layer unpacker needs
// for OCI opaque directories (trusted.overlay.opaque) and file capabilities.
#include <archive.h>
#include <archive_entry.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
