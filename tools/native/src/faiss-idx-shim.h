// faiss-node 0.5.1 is written against faiss >= 1.7.4, where `idx_t` lives at namespace level (`faiss::idx_t`).
// Debian's libfaiss-dev is 1.7.3, which only has `faiss::Index::idx_t`. Force-included (-include) before faiss-node's
// sources so they compile unchanged against Debian's headers; the type is the same int64_t either way.
#pragma once
#include <cstdint>
namespace faiss {
using idx_t = int64_t;
}
