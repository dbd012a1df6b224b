/* libmlops: the umbrella header. Include this one; it pulls in every public
 * header of the library. See libmlops(7) for the conventions they share. */
#ifndef MLOPS_H
#define MLOPS_H

#include "mlops/export.h"
#include "mlops/errors.h"
#include "mlops/version.h"
#include "mlops/memory.h"
#include "mlops/log.h"
#include "mlops/dataset.h"
#include "mlops/csv.h"
#include "mlops/profile.h"
#include "mlops/validation.h"
#include "mlops/schema.h"
#include "mlops/split.h"
#include "mlops/transform.h"
#include "mlops/model.h"
#include "mlops/report.h"
#include "mlops/evaluator.h"
#include "mlops/drift.h"
#include "mlops/pipeline.h"
#include "mlops/registry.h"
#include "mlops/html.h"

#endif /* MLOPS_H */
