/* The run's "report" step: the HTML pages people look at (evaluation, drift,
 * data quality, model card), written from the run's own JSON files before
 * the lock, so the lock lists them and mlops_run_verify checks them too. */
#include "mlops/html.h"
#include "pipeline/run_context.h"

int mlops__run_reports(mlops__run *r)
{
    bool on = true;
    mlops__ynode_bool(mlops__pipeline_node(r->p, "output.reports"), &on);
    if (!on) return MLOPS_OK;
    return mlops_run_report(r->dir, NULL, NULL);
}
