#ifndef CSECCOMP_H
#define CSECCOMP_H

#include <stdint.h>
#include <seccomp.h>

// SCMP_ACT_ERRNO and SCMP_ACT_TRACE are function-like macros, which Swift does not import.
static inline uint32_t cseccomp_act_errno(uint16_t errno_ret) { return SCMP_ACT_ERRNO(errno_ret); }
static inline uint32_t cseccomp_act_trace(uint16_t msg_num) { return SCMP_ACT_TRACE(msg_num); }

#endif
