/* The Python tests' independent reference: a C99 program that reads batches through the C API alone (genint.h,
 * no binding code) and writes every field's raw bytes to a file. Usage: genint_dump_batches CONFIG BATCHES OUT */
#include <genint.h>
#include <stdio.h>
#include <stdlib.h>

/* Per batch: index, epoch (uint64), size, image_size, layout (int32), 4 zero bytes, sample_bytes (uint64), then
 * images, labels, weights, sources, items and interventions, then the extras (genint_batch_extras: mixup partners,
 * partner labels, lambdas, AutoAugment sub-policies, AutoAugment op bits, transfer alphas), each size × its element,
 * as the C API holds them. */
static int write_batch(FILE* out, const genint_batch* batch, const genint_batch_extras* extras) {
  const size_t count = (size_t)batch->size;
  const uint64_t sample_bytes = batch->sample_bytes;
  const int32_t header[4] = {batch->size, batch->image_size, batch->layout, 0};
  int ok = fwrite(&batch->index, sizeof batch->index, 1, out) == 1;
  ok = ok && fwrite(&batch->epoch, sizeof batch->epoch, 1, out) == 1;
  ok = ok && fwrite(header, sizeof header, 1, out) == 1;
  ok = ok && fwrite(&sample_bytes, sizeof sample_bytes, 1, out) == 1;
  ok = ok && fwrite(batch->images, batch->sample_bytes, count, out) == count;
  ok = ok && fwrite(batch->labels, sizeof *batch->labels, count, out) == count;
  ok = ok && fwrite(batch->weights, sizeof *batch->weights, count, out) == count;
  ok = ok && fwrite(batch->sources, sizeof *batch->sources, count, out) == count;
  ok = ok && fwrite(batch->items, sizeof *batch->items, count, out) == count;
  ok = ok && fwrite(batch->interventions, sizeof *batch->interventions, count, out) == count;
  ok = ok && fwrite(extras->mixup_partners, sizeof *extras->mixup_partners, count, out) == count;
  ok = ok && fwrite(extras->mixup_partner_labels, sizeof *extras->mixup_partner_labels, count, out) == count;
  ok = ok && fwrite(extras->mixup_lambdas, sizeof *extras->mixup_lambdas, count, out) == count;
  ok = ok && fwrite(extras->auto_augment_sub_policies, sizeof *extras->auto_augment_sub_policies, count, out) == count;
  ok = ok && fwrite(extras->auto_augment_ops, sizeof *extras->auto_augment_ops, count, out) == count;
  ok = ok && fwrite(extras->transfer_alphas, sizeof *extras->transfer_alphas, count, out) == count;
  return ok;
}

static int fail(const char* call, genint_status status) {
  fprintf(stderr, "genint_dump_batches: %s: %s: %s\n", call, genint_status_name(status), genint_last_error_message());
  return 1;
}

int main(int argc, char** argv) {
  genint_loader* loader = NULL;
  genint_status status;
  FILE* out;
  long batches, taken;
  if (argc != 4 || (batches = strtol(argv[2], NULL, 10)) <= 0) {
    fprintf(stderr, "usage: %s CONFIG.json BATCHES OUT\n", argv[0]);
    return 2;
  }
  if (genint_abi_version() != GENINT_ABI_VERSION || genint_abi_minor_version() < GENINT_ABI_MINOR_VERSION) {
    fprintf(stderr, "genint_dump_batches: libgenint has ABI %d.%d, this program needs %d.%d\n", genint_abi_version(),
            genint_abi_minor_version(), GENINT_ABI_VERSION, GENINT_ABI_MINOR_VERSION);
    return 1;
  }
  status = genint_loader_create_from_file(argv[1], &loader);
  if (status != GENINT_OK) return fail("genint_loader_create_from_file", status);
  out = fopen(argv[3], "wb");
  if (out == NULL) {
    perror(argv[3]);
    genint_loader_destroy(loader);
    return 1;
  }
  for (taken = 0; taken < batches; ++taken) {
    genint_batch batch;
    const genint_batch_extras* extras = NULL;
    int written;
    status = genint_loader_next_batch(loader, &batch);
    if (status != GENINT_OK) break;
    status = genint_loader_batch_extras(loader, &batch, &extras);
    if (status != GENINT_OK) break;
    written = write_batch(out, &batch, extras);
    status = genint_loader_release_batch(loader, &batch);
    if (status == GENINT_OK && !written) {
      fprintf(stderr, "genint_dump_batches: cannot write %s\n", argv[3]);
      fclose(out);
      genint_loader_destroy(loader);
      return 1;
    }
    if (status != GENINT_OK) break;
  }
  /* The message belongs to the failed call: report it before the next genint call replaces it. */
  if (status != GENINT_OK) fail("genint_loader_next_batch / _batch_extras / _release_batch", status);
  if (fclose(out) != 0) {
    perror(argv[3]);
    status = GENINT_ERROR_IO;
  }
  genint_loader_destroy(loader);
  return status == GENINT_OK ? 0 : 1;
}
