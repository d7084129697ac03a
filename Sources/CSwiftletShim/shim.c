#include "CSwiftletShim.h"
