/* genint's C API: the whole surface a trainer links (C99, no CUDA headers; streams are void*).
 * Every function returns a status code; on failure genint_last_error_message() says why. */
#ifndef GENINT_GENINT_H
#define GENINT_GENINT_H

#include <stddef.h>
#include <stdint.h>

/* GENINT_BUILDING_LIBRARY is defined only while libgenint itself is compiled (its DEFINE_SYMBOL): it exports the
 * functions, and every consumer imports them (ELF: default visibility either way). */
#if defined(_WIN32)
#if defined(GENINT_BUILDING_LIBRARY)
#define GENINT_API __declspec(dllexport)
#else
#define GENINT_API __declspec(dllimport)
#endif
#else
#define GENINT_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a struct layout or a function signature changes incompatibly. */
#define GENINT_ABI_VERSION 2
/* Bumped when functions or types are added and everything older keeps working; reset when the ABI changes.
 * 1: device output (genint_device_batch, genint_loader_device_batch, ..._wait_batch_on_stream,
 *    ..._release_batch_on_stream).
 * 2: genint_last_error_status.
 * 3: per-sample extras (genint_batch_extras, genint_loader_batch_extras): Mixup partners and λ, AutoAugment
 *    choices, transfer α. */
#define GENINT_ABI_MINOR_VERSION 3

typedef enum genint_status {
  GENINT_OK = 0,
  GENINT_ERROR_INVALID_ARGUMENT = 1, /* NULL handle, bad pointer, value out of range */
  GENINT_ERROR_INVALID_CONFIG = 2,   /* config JSON malformed or a field invalid; the message names the field */
  GENINT_ERROR_IO = 3,               /* a file or folder could not be read */
  GENINT_ERROR_DEVICE = 4,           /* CUDA, cuBLAS or cuDNN failed */
  GENINT_ERROR_OUT_OF_MEMORY = 5,
  GENINT_ERROR_STOPPED = 6, /* the loader was shut down while the call waited */
  GENINT_ERROR_INTERNAL = 7 /* a bug in genint: please report the message */
} genint_status;

/* Thread-safe. The library's version, "MAJOR.MINOR.PATCH"; static storage. */
GENINT_API const char* genint_version_string(void);
/* Thread-safe. The ABI this library implements; compare with GENINT_ABI_VERSION from the header you compiled. */
GENINT_API int genint_abi_version(void);
/* Thread-safe. The library's ABI minor version: what you call exists when it is >= the header's
 * GENINT_ABI_MINOR_VERSION (and genint_abi_version() equals GENINT_ABI_VERSION). */
GENINT_API int genint_abi_minor_version(void);
/* Thread-safe. 1 if this library was built with its CUDA backend, else 0. */
GENINT_API int genint_cuda_backend_built(void);
/* Thread-safe. The message of the last failed genint call on this thread ("" if none). Valid until the
 * next genint call on this thread. */
GENINT_API const char* genint_last_error_message(void);
/* Thread-safe (ABI minor 2). The status of the last failed genint call on this thread (GENINT_OK if none): what that
 * call returned, kept beside its message for code that reports errors away from the call. */
GENINT_API genint_status genint_last_error_status(void);
/* Thread-safe. A constant name for a status ("GENINT_ERROR_INVALID_CONFIG"); static storage. */
GENINT_API const char* genint_status_name(genint_status status);

/* ---- The loader ------------------------------------------------------------------------------------------
 * A loader mixes natural images with generated ones at fixed per-batch counts (config schema: docs/c-api.md).
 * Thread-safety, per function below. In short: one thread (or several) may call next_batch and release_batch
 * concurrently; stats functions may be called from any thread at any time; destroy must not overlap any other
 * call on the same loader. */

typedef struct genint_loader genint_loader; /* opaque */

/* Same numbers as the "kind" names in the config. */
typedef enum genint_source_kind {
  GENINT_SOURCE_NATURAL = 0,
  GENINT_SOURCE_INTERVENTION = 1,
  GENINT_SOURCE_TRANSFERRED = 2
} genint_source_kind;

typedef enum genint_image_layout {
  GENINT_LAYOUT_UINT8_HWC = 0,  /* size × size × 3 RGB bytes per sample (normalize on the GPU) */
  GENINT_LAYOUT_FLOAT32_CHW = 1 /* 3 × size × size floats per sample, ImageNet-normalized */
} genint_image_layout;

/* How a generated sample was made. Natural samples: class_index = -1, everything else 0 (direction -1).
 * Transferred samples: their style image's record; with "style": "natural" (no generator) class_index = -1 and
 * latent_seed = the style image's dataset index in the style folder, everything else as for natural samples. */
typedef struct genint_intervention {
  int32_t class_index;  /* the class the generator was conditioned on */
  int32_t reserved;     /* always 0: an explicit field, so the struct has no padding and batches compare bit for bit */
  uint64_t latent_seed; /* seed of the latent z */
  float truncation;
  int32_t space;       /* the latent space the direction moves, numbered by the intervention source */
  int32_t layer_begin; /* per-layer latents [layer_begin, layer_end) were edited */
  int32_t layer_end;
  int32_t direction; /* component j */
  float step;        /* offset s' along it */
} genint_intervention;

/* A batch borrowed from the loader: every pointer stays valid until genint_loader_release_batch(). Samples
 * are grouped by source in config order (e.g. 256 natural, then 64 intervention). */
typedef struct genint_batch {
  uint64_t index;     /* 0, 1, 2, ... */
  uint64_t epoch;     /* epoch of the natural stream this batch belongs to */
  int32_t size;       /* samples */
  int32_t image_size; /* height = width */
  int32_t layout;     /* genint_image_layout */
  int32_t pinned;     /* 1 when images lie in page-locked (CUDA pinned) host memory */
  const void* images; /* size × sample_bytes */
  size_t sample_bytes;
  const int32_t* labels;                    /* class index per sample */
  const float* weights;                     /* the source's loss weight λ per sample */
  const int32_t* sources;                   /* genint_source_kind per sample */
  const int64_t* items;                     /* natural: dataset index; generated: position in the source's stream */
  const genint_intervention* interventions; /* per sample */
  uint64_t ring_slot;                       /* the loader's own bookkeeping: leave it as it was handed out */
} genint_batch;

typedef struct genint_source_stats {
  int32_t kind; /* genint_source_kind */
  int32_t count_per_batch;
  float weight;
  int32_t threads;
  uint64_t delivered;         /* samples handed out in batches */
  double samples_per_second;  /* delivered / seconds since the loader was created */
  uint64_t skipped;           /* files skipped (unreadable, corrupt, ...): genint_loader_stats_json says why */
  uint64_t buffers_in_use;    /* places claimed by producers and not yet released: the source's queue depth */
  uint64_t pool_size;         /* places the source may fill ahead (deterministic: count x batches_in_flight) */
  uint64_t batches_per_epoch; /* 0 for an endless (generated) source */
} genint_source_stats;

/* Thread-safe. Creates a loader from a JSON config text. Every field is validated; a bad field gives
 * GENINT_ERROR_INVALID_CONFIG and a message naming it. On success *out_loader owns a running loader. */
GENINT_API genint_status genint_loader_create_from_json(const char* config_json, genint_loader** out_loader);
/* Thread-safe. The same, reading the config from a file. */
GENINT_API genint_status genint_loader_create_from_file(const char* config_path, genint_loader** out_loader);
/* Thread-safe (callers get distinct batches, in order of their calls' completion). Blocks, sleeping, until
 * the next batch is ready and fills *out_batch. GENINT_ERROR_INVALID_ARGUMENT when every batch buffer is already
 * borrowed. With "deterministic": true, batch k is made in the buffer of batch k − batches_in_flight: while the
 * calling thread still holds that batch, the call fails at once with GENINT_ERROR_INVALID_ARGUMENT naming it
 * (it could never complete); held by another thread, it is waited for. A producer's failure (e.g. no usable file
 * left) is reported here and stops the loader. */
GENINT_API genint_status genint_loader_next_batch(genint_loader* loader, genint_batch* out_batch);
/* Thread-safe. Gives a batch's buffers back. Releasing a batch twice gives GENINT_ERROR_INVALID_ARGUMENT. */
GENINT_API genint_status genint_loader_release_batch(genint_loader* loader, const genint_batch* batch);
/* Thread-safe. Number of sources in the config. */
GENINT_API genint_status genint_loader_source_count(const genint_loader* loader, int32_t* out_count);
/* Thread-safe. Statistics of source `source_index` (config order). */
GENINT_API genint_status genint_loader_source_stats(const genint_loader* loader, int32_t source_index,
                                                    genint_source_stats* out_stats);
/* Thread-safe. All statistics as JSON, including skipped files by reason with example paths. Sets
 * *out_length to the text's length (without the final NUL); writes it into buffer when capacity exceeds
 * that length. buffer = NULL asks for the length only; a too small buffer gives GENINT_ERROR_INVALID_ARGUMENT. */
GENINT_API genint_status genint_loader_stats_json(const genint_loader* loader, char* buffer, size_t capacity,
                                                  size_t* out_length);
/* Not thread-safe with other calls on this loader. Stops the producers (even blocked ones) and frees
 * everything; borrowed batches become invalid. NULL is accepted and does nothing. */
GENINT_API genint_status genint_loader_destroy(genint_loader* loader);
/* Thread-safe. "natural", "intervention", "transferred", or "unknown"; static storage. */
GENINT_API const char* genint_source_kind_name(int32_t kind);

/* ---- Device output (ABI minor 1) -------------------------------------------------------------------------
 * With "output": {"device": "cuda", "device_index": 0} in the config, every batch is ALSO copied into device
 * memory: a ring of device batch buffers (one per host batch buffer) is allocated when the loader is created,
 * and each completed batch is copied host→device on the loader's own CUDA stream while the producers work on
 * the next batches; an event is recorded after each batch's copy. A trainer then:
 *   genint_loader_next_batch(loader, &batch);
 *   genint_loader_device_batch(loader, &batch, &device);            device.images etc. on device_index
 *   genint_loader_wait_batch_on_stream(loader, &batch, stream);      stream waits for the copy (no host wait)
 *   ... launch work reading device.images / labels / weights on stream ...
 *   genint_loader_release_batch_on_stream(loader, &batch, stream);   the slot is reused only after that work
 * Plain genint_loader_release_batch() is allowed too, but only once no device work reads the batch any more.
 * Releasing waits (sleeping) until the batch's copy has finished, since the host buffer is refilled next.
 * Streams are cudaStream_t passed as void*; NULL is the default stream of the output device. The calling
 * thread's current CUDA device is left unchanged by every call. */

typedef struct genint_device_batch {
  int32_t device_index;  /* the CUDA device the batch was copied to */
  const void* images;    /* device memory: size × sample_bytes, the same layout as genint_batch.images */
  const int32_t* labels; /* device memory: size labels, as genint_batch.labels */
  const float* weights;  /* device memory: size loss weights λ, as genint_batch.weights */
  void* copy_event;      /* the cudaEvent_t recorded after this batch's copy; valid until release */
} genint_device_batch;

/* Thread-safe. Fills *out_device for a borrowed batch. GENINT_ERROR_INVALID_ARGUMENT when the loader has no
 * device output or the batch is not borrowed. Pointers stay valid until the batch is released. */
GENINT_API genint_status genint_loader_device_batch(const genint_loader* loader, const genint_batch* batch,
                                                    genint_device_batch* out_device);
/* Thread-safe. Makes `stream` wait on the device for the batch's copy (cudaStreamWaitEvent); returns at once.
 * GENINT_ERROR_DEVICE if CUDA refuses (the message says why). */
GENINT_API genint_status genint_loader_wait_batch_on_stream(genint_loader* loader, const genint_batch* batch,
                                                            void* stream);
/* Thread-safe (like genint_loader_release_batch). Records on `stream` (which must belong to the output
 * device) the point after the work queued there so far, then releases the batch: the loader's next copy
 * into that device buffer waits for that point on the device, so the host never waits for the trainer. */
GENINT_API genint_status genint_loader_release_batch_on_stream(genint_loader* loader, const genint_batch* batch,
                                                               void* stream);

/* ---- Per-sample extras (ABI minor 3) ----------------------------------------------------------------------
 * Arrays beside a batch's own, one entry per sample in the batch's order, for what only some configs produce:
 * Mixup ("mixup": {"alpha": 0.4}), AutoAugment (natural sources' "auto_augment") and the transferred source's
 * style strength. genint_batch itself is never extended (callers allocate it); this struct is the library's,
 * one per batch buffer, and later minor versions only append fields to it, so a caller reads the fields its
 * header declares and never copies the struct. Host memory only; with a device output the device images are
 * already mixed, and the arrays here are small enough to copy. */

/* Bits of genint_batch_extras.auto_augment_ops. */
#define GENINT_AUTO_AUGMENT_FIRST_APPLIED 1  /* the sub-policy's first operation ran (its probability came up) */
#define GENINT_AUTO_AUGMENT_SECOND_APPLIED 2 /* the second ran */
#define GENINT_AUTO_AUGMENT_FIRST_NEGATED 4  /* the first is a signed operation and ran with magnitude × −1 */
#define GENINT_AUTO_AUGMENT_SECOND_NEGATED 8

typedef struct genint_batch_extras {
  uint32_t struct_size; /* sizeof(genint_batch_extras) in the library: fields past your header's are newer */
  int32_t mixup;        /* 1 when the config mixes batches ("mixup"), else 0 */
  /* Mixup: sample i's image is λ_i · (its own) + (1 − λ_i) · (partner's), where partner = mixup_partners[i] (the
   * neighbouring slot of the same natural source; i itself, with λ_i = 1, for unmixed samples: generated ones, an
   * odd one out, or every sample without Mixup). Loss: λ_i · CE(labels[i]) + (1 − λ_i) · CE(mixup_partner_labels[i]),
   * times weights[i] as usual. Pairs are mutual (partner of partner = i) and share λ. λ is exactly a multiple of
   * 1/256 in both layouts: the λ applied (docs/c-api.md: how each layout rounds the blend). */
  const int32_t* mixup_partners;
  const int32_t* mixup_partner_labels; /* labels[mixup_partners[i]] */
  const float* mixup_lambdas;          /* λ_i in [0, 1] */
  /* AutoAugment (natural sources with "auto_augment"): the sub-policy drawn (0..24 for "imagenet", in
   * torchvision's order) or −1 where AutoAugment did not run (off, or not a natural sample), and the
   * GENINT_AUTO_AUGMENT_* bits of which of its two operations ran and with which sign. */
  const int32_t* auto_augment_sub_policies;
  const uint8_t* auto_augment_ops;
  /* Transferred samples: the style strength α in [0, 1] (the style image's record is in genint_batch.interventions);
   * −1 for every other sample. */
  const float* transfer_alphas;
} genint_batch_extras;

/* Thread-safe, for a borrowed batch. Points *out_extras at the batch's extras: the struct and every array stay
 * valid (and unchanged) until the batch is released. GENINT_ERROR_INVALID_ARGUMENT when the batch is not borrowed.
 * Check genint_abi_minor_version() >= 3 before calling it. */
GENINT_API genint_status genint_loader_batch_extras(const genint_loader* loader, const genint_batch* batch,
                                                    const genint_batch_extras** out_extras);

#ifdef __cplusplus
}
#endif

#endif /* GENINT_GENINT_H */
