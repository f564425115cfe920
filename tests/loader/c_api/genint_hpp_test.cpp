// The C++ wrapper (loader/genint.hpp) over the shared libgenint: errors carry the status and the library's
// message, borrowed batches go back on every exit from their scope, and ownership moves exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "genint.hpp"
#include "loader/support/jpeg_tree.h"

namespace {

using genint::loader::testing::JpegTree;

// batches_in_flight 2: with two batches borrowed, a third next_batch fails at once instead of blocking, so a
// batch the wrapper failed to give back shows up as an error rather than a hang.
std::string two_in_flight_config(const std::string& root) {
  return R"({"seed": 5, "deterministic": true, "drop_last": false, "image": {"size": 8}, "batches_in_flight": 2,
             "sources": [{"kind": "natural", "count": 4, "threads": 2, "root": ")" +
         root + R"("}]})";
}

// Runs `call` and returns the LoaderError it throws; fails the test when it throws nothing.
template <typename Call>
genint::LoaderError thrown_by(Call call) {
  try {
    call();
  } catch (const genint::LoaderError& error) {
    return error;
  }
  ADD_FAILURE() << "no genint::LoaderError was thrown";
  return genint::LoaderError(GENINT_OK, "none", "");
}

TEST(GenintHpp, BadConfigThrowsTheStatusAndTheLibrarysMessage) {
  const genint::LoaderError error = thrown_by([] { genint::Loader::from_json(R"({"sources": []})"); });
  EXPECT_EQ(error.status(), GENINT_ERROR_INVALID_CONFIG);
  EXPECT_NE(error.library_message().find("'sources'"), std::string::npos) << error.library_message();
  const std::string what = error.what();
  EXPECT_NE(what.find("genint_loader_create_from_json"), std::string::npos) << what;
  EXPECT_NE(what.find("GENINT_ERROR_INVALID_CONFIG"), std::string::npos) << what;
  EXPECT_NE(what.find(error.library_message()), std::string::npos) << what;

  const genint::LoaderError missing = thrown_by([] { genint::Loader::from_file("/no/such/genint-config.json"); });
  EXPECT_EQ(missing.status(), GENINT_ERROR_INVALID_CONFIG);
  EXPECT_NE(missing.library_message().find("/no/such/genint-config.json"), std::string::npos);
  EXPECT_NO_THROW(genint::check_abi());
}

TEST(GenintHpp, ScopedBatchesAreGivenBackEvenWhenTheStepThrows) {
  const JpegTree tree(2, 6, false);
  const genint::Loader loader = genint::Loader::from_json(two_in_flight_config(tree.root()));
  for (std::uint64_t index = 0; index < 6; ++index) {  // three times the ring: each batch must come back
    try {
      const genint::BorrowedBatch batch(loader);
      EXPECT_EQ(batch->index, index);
      EXPECT_EQ((*batch).size, 4);
      if (index % 2 == 1) throw std::runtime_error("a failing training step");
    } catch (const std::runtime_error& error) {
      EXPECT_STREQ(error.what(), "a failing training step");
    }
  }
}

TEST(GenintHpp, AThirdBorrowFailsWithTheStatusAndReleaseIsExplicitAndOnce) {
  const JpegTree tree(2, 6, false);
  const genint::Loader loader = genint::Loader::from_json(two_in_flight_config(tree.root()));
  genint::BorrowedBatch first(loader);
  genint::BorrowedBatch second(loader);
  const genint::LoaderError error = thrown_by([&] { genint::BorrowedBatch third(loader); });
  EXPECT_EQ(error.status(), GENINT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(error.library_message().find("borrowed"), std::string::npos) << error.library_message();

  genint::BorrowedBatch moved(std::move(first));
  EXPECT_FALSE(first.holds_batch());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_TRUE(moved.holds_batch());
  EXPECT_EQ(moved->index, 0u);
  moved.release();
  EXPECT_FALSE(moved.holds_batch());
  EXPECT_NO_THROW(moved.release());  // a second release is a no-op, not a double release in the C API
  const genint::BorrowedBatch third(loader);
  EXPECT_EQ(third->index, 2u);
  second.release();
}

TEST(GenintHpp, StatisticsAndSourceQueries) {
  const JpegTree tree(3, 4, false);
  const genint::Loader loader = genint::Loader::from_json(two_in_flight_config(tree.root()));
  { const genint::BorrowedBatch batch(loader); }
  EXPECT_EQ(loader.source_count(), 1);
  const genint_source_stats stats = loader.source_stats(0);
  EXPECT_EQ(stats.kind, GENINT_SOURCE_NATURAL);
  EXPECT_EQ(stats.count_per_batch, 4);
  EXPECT_EQ(stats.batches_per_epoch, 3u);  // 12 files in batches of 4
  EXPECT_EQ(thrown_by([&] { loader.source_stats(1); }).status(), GENINT_ERROR_INVALID_ARGUMENT);
  const std::string json = loader.stats_json();
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_EQ(json.find('\0'), std::string::npos);
  EXPECT_NE(json.find("\"batch_size\":4"), std::string::npos) << json;
}

TEST(GenintHpp, LoaderOwnershipMovesAndAnEmptyLoaderReportsNullHandles) {
  const JpegTree tree(2, 4, false);
  genint::Loader first = genint::Loader::from_json(two_in_flight_config(tree.root()));
  genint_loader* const handle = first.get();
  ASSERT_NE(handle, nullptr);
  genint::Loader second(std::move(first));
  EXPECT_EQ(first.get(), nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(second.get(), handle);
  first = genint::Loader::from_json(two_in_flight_config(tree.root()));
  second = std::move(first);  // destroys the first loader; ASan/valgrind builds would see a leak or double free
  EXPECT_NE(second.get(), handle);
  EXPECT_EQ(second.source_count(), 1);
  const genint::Loader empty(nullptr);
  EXPECT_EQ(thrown_by([&] { empty.source_count(); }).status(), GENINT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(thrown_by([&] { genint::BorrowedBatch batch(empty); }).status(), GENINT_ERROR_INVALID_ARGUMENT);
}

TEST(GenintHpp, ThreadsBorrowFromOneLoaderAndEachBatchComesOutOnce) {
  const JpegTree tree(2, 8, false);
  const genint::Loader loader = genint::Loader::from_json(two_in_flight_config(tree.root()));
  constexpr int kThreads = 2;  // = batches_in_flight, so both may hold a batch at once
  constexpr int kBatchesPerThread = 6;
  std::mutex seen_mutex;
  std::vector<int> seen(kThreads * kBatchesPerThread, 0);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread)
    threads.emplace_back([&] {
      for (int step = 0; step < kBatchesPerThread; ++step) {
        try {
          const genint::BorrowedBatch batch(loader);
          const std::lock_guard<std::mutex> lock(seen_mutex);
          ++seen.at(static_cast<std::size_t>(batch->index));
        } catch (const std::exception&) {
          failures.fetch_add(1);
        }
      }
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (std::size_t index = 0; index < seen.size(); ++index) EXPECT_EQ(seen[index], 1) << "batch " << index;
}

// Mixup through the wrapper: extras() of a borrowed batch, and the loss split into two weighted cross-entropies.
TEST(GenintHpp, ExtrasAndMixupLossWeights) {
  const JpegTree tree(2, 6, false);
  const genint::Loader loader = genint::Loader::from_json(
      R"({"seed": 5, "image": {"size": 8}, "mixup": {"alpha": 0.4},
          "sources": [{"kind": "natural", "count": 4, "root": ")" +
      tree.root() + R"("}]})");
  genint::BorrowedBatch batch(loader);
  const genint_batch_extras& extras = batch.extras();
  EXPECT_EQ(extras.mixup, 1);
  EXPECT_EQ(&batch.extras(), &extras);  // fetched once
  const std::vector<float> sample_weights = {0.5f, 1.0f, 2.0f, 4.0f};
  std::vector<float> own(4), partner(4);
  genint::mixup_loss_weights(*batch, extras, sample_weights.data(), own.data(), partner.data());
  for (std::size_t sample = 0; sample < 4; ++sample) {
    const float lambda = extras.mixup_lambdas[sample];
    EXPECT_NE(extras.mixup_partners[sample], static_cast<std::int32_t>(sample));  // four samples: two pairs
    EXPECT_EQ(own[sample], sample_weights[sample] * lambda);
    EXPECT_EQ(partner[sample], sample_weights[sample] * (1.0f - lambda));
    EXPECT_FLOAT_EQ(own[sample] + partner[sample], sample_weights[sample]);
  }
  genint::BorrowedBatch moved(std::move(batch));
  EXPECT_EQ(&moved.extras(), &extras);
  moved.release();
  EXPECT_EQ(thrown_by([&] { moved.extras(); }).status(), GENINT_ERROR_INVALID_ARGUMENT);
}

}  // namespace
