// The `gatehouse` command line: serve, and the admin commands that act on the store directly.
#pragma once

namespace gh::idp {

// Runs one command; returns the process exit code (0 ok, 1 failure, 2 usage error).
int RunCli(int argc, char** argv);

}  // namespace gh::idp
