#include <malloc.h>

#include "idp/cli.h"

int main(int argc, char** argv) {
  // Blocks of 1 MiB and more — argon2id's ~19 MiB when a hash is made, as the sign-in page's
  // decoy is at start (checks map their own, crypto/password.cc) — are mapped for each use and
  // unmapped when freed. Left to glibc, the first freed block raises its mmap threshold to that
  // size, later large blocks are served from the heap, and the process keeps them for good.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  return gh::idp::RunCli(argc, argv);
}
