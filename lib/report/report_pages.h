/* Private: the four report pages, each rendered from the JSON document the
 * library writes for that object, so a page can be made from a live object
 * or, years later, from the files of a run directory. Each returns
 * MLOPS_OK, MLOPS_EFORMAT (naming the missing member) when `doc` is not
 * that kind of document, or MLOPS_ENOMEM. `title` may be NULL (a default). */
#ifndef MLOPS_REPORT_PAGES_H
#define MLOPS_REPORT_PAGES_H

#include "core/json_parse.h"
#include "report/html.h"

/* mlops_report_json document. */
int mlops__page_evaluation(mlops__html *h, const mlops__jv *doc, const char *title);
/* mlops_drift_report_json document; `history` (may be NULL) is a
 * mlops_drift_monitor_history_json array of earlier windows. */
int mlops__page_drift(mlops__html *h, const mlops__jv *doc, const mlops__jv *history,
                      const char *title);
/* mlops_profile_to_json document; `validation` (may be NULL) is the
 * data_validation.json of a run ({"passed", "rows", "violations": [...]})
 * or an mlops_validation_json document. */
int mlops__page_profile(mlops__html *h, const mlops__jv *doc, const mlops__jv *validation,
                        const char *title);
/* mlops_model_card_json document. */
int mlops__page_model_card(mlops__html *h, const mlops__jv *doc, const char *title);

#endif
