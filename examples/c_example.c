/* A C program using the installed libgenint: builds a natural-only loader on a JPEG folder tree and
 * prints, per batch, how many samples each source contributed. Usage: genint_c_example DATA_DIR [BATCHES] */
#include <genint.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char* what, genint_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, genint_status_name(status), genint_last_error_message());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR [BATCHES]   (DATA_DIR: class folders of JPEGs, or a file list)\n", argv[0]);
    return 2;
  }
  const int batches = argc > 2 ? atoi(argv[2]) : 5;
  char config[4096];
  snprintf(config, sizeof config,
           "{\"seed\": 1, \"image\": {\"size\": 224, \"layout\": \"uint8_hwc\"},"
           " \"sources\": [{\"kind\": \"natural\", \"count\": 32, \"threads\": 2, \"root\": \"%s\"}]}",
           argv[1]);
  printf("genint %s (ABI %d, CUDA backend %d)\n", genint_version_string(), genint_abi_version(),
         genint_cuda_backend_built());
  genint_loader* loader = NULL;
  genint_status status = genint_loader_create_from_json(config, &loader);
  if (status != GENINT_OK) return fail("create", status);
  for (int index = 0; index < batches; ++index) {
    genint_batch batch;
    status = genint_loader_next_batch(loader, &batch);
    if (status != GENINT_OK) {
      genint_loader_destroy(loader);
      return fail("next_batch", status);
    }
    int per_source[3] = {0, 0, 0};
    for (int32_t sample = 0; sample < batch.size; ++sample)
      if (batch.sources[sample] >= 0 && batch.sources[sample] < 3) ++per_source[batch.sources[sample]];
    printf("batch %llu (epoch %llu): %s=%d %s=%d %s=%d, first label %d\n", (unsigned long long)batch.index,
           (unsigned long long)batch.epoch, genint_source_kind_name(0), per_source[0], genint_source_kind_name(1),
           per_source[1], genint_source_kind_name(2), per_source[2], batch.labels[0]);
    genint_loader_release_batch(loader, &batch);
  }
  genint_source_stats stats;
  if (genint_loader_source_stats(loader, 0, &stats) == GENINT_OK)
    printf("natural: %llu delivered, %.1f images/s, %llu skipped\n", (unsigned long long)stats.delivered,
           stats.samples_per_second, (unsigned long long)stats.skipped);
  genint_loader_destroy(loader);
  return 0;
}
