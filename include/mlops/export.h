/* Symbol visibility for the public API.
 *
 * The library is built with -fvisibility=hidden; only declarations marked
 * MLOPS_API are exported, and lib/libmlops.map pins each of them to a version
 * node. Consumers never need to define anything to use this header. */
#ifndef MLOPS_EXPORT_H
#define MLOPS_EXPORT_H

#if defined(MLOPS_BUILDING_LIBRARY) && defined(__GNUC__)
#define MLOPS_API __attribute__((visibility("default")))
#else
#define MLOPS_API
#endif

#if defined(__GNUC__)
#define MLOPS_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MLOPS_PRINTF_LIKE(fmt, args)
#endif

#ifdef __cplusplus
#define MLOPS_BEGIN_DECLS extern "C" {
#define MLOPS_END_DECLS }
#else
#define MLOPS_BEGIN_DECLS
#define MLOPS_END_DECLS
#endif

#endif /* MLOPS_EXPORT_H */
