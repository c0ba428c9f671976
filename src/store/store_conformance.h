// StoreConformance: the Store contract as one GoogleTest suite, run against every backend so
// that they behave the same.
//
// A backend's test file instantiates it with a factory for fresh, empty stores:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
//                            ::testing::Values(gh::store::StoreFactory(MakeSqliteStore)));
//
// and links gh_store_conformance whole-archive (see src/store/CMakeLists.txt): the tests register
// themselves from static initialisers that nothing else references.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/store.h"

namespace gh::store {

// Makes a new, empty store. Called once per test; the store is destroyed when the test ends.
using StoreFactory = std::function<std::unique_ptr<Store>()>;

// The fixture: each test gets its own store from the factory parameter.
class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  Store& store() { return *store_; }

 private:
  std::unique_ptr<Store> store_;
};

}  // namespace gh::store
