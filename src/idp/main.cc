#include <malloc.h>

#include "idp/cli.h"

int main(int argc, char** argv) {
  // Blocks of 1 MiB and more — argon2id's ~19 MiB per password check above all — are mapped for
  // each use and unmapped when freed. Left to glibc, the first freed block raises its mmap
  // threshold to that size, later checks are served from the heap, and the process keeps their
  // memory for good: one sign-in would double an idle server's resident size.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  return gh::idp::RunCli(argc, argv);
}
