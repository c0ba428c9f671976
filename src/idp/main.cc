#include "idp/cli.h"

int main(int argc, char** argv) { return gh::idp::RunCli(argc, argv); }
