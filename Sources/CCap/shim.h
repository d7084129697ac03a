// libcap (Debian: libcap-dev), linked statically into swiftlet-init.
#include <sys/capability.h>
