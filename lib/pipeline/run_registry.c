/* The registry step of a run: when every check passed, the model file of
 * the run is registered and the configured alias moved to it; when a check
 * failed, the refused promotion is recorded in the registry's audit log so
 * the attempt stays on record, and nothing moves. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include <stdio.h>

#include "pipeline/run_context.h"

static int open_registry(mlops__run *r, mlops_registry **out)
{
    char *dir = mlops__pipeline_resolve(r->p, mlops__pipeline_value(r->p, "registry.path"));
    if (dir == NULL) return MLOPS_ENOMEM;
    int rc = mlops_registry_open(out, dir, MLOPS_REGISTRY_CREATE);
    mlops__free(dir);
    const char *actor = mlops__pipeline_value(r->p, "registry.actor");
    if (rc == MLOPS_OK && actor != NULL) rc = mlops_registry_set_actor(*out, actor);
    return rc;
}

static int promote(mlops__run *r, mlops_registry *reg, const char *name, const char *alias,
                   const char *reason)
{
    char *model = mlops__run_path(r, "model.mlops");
    if (model == NULL) return MLOPS_ENOMEM;
    char version[MLOPS_REGISTRY_VERSION_SIZE];
    char *before = NULL;
    /* whether this payload is new to the registry */
    size_t n = strlen(name) + strlen(r->payload_sha256) + 2;
    char *ref = mlops__malloc(n, "registry reference");
    int rc = ref == NULL ? MLOPS_ENOMEM : MLOPS_OK;
    if (rc == MLOPS_OK) {
        snprintf(ref, n, "%s@%s", name, r->payload_sha256);
        /* only "not found" means new: another failure (out of memory) says nothing */
        rc = mlops_registry_resolve(reg, ref, &before, NULL);
        r->registered = rc == MLOPS_ENOTFOUND;
        if (rc == MLOPS_ENOTFOUND) {
            mlops_clear_error();
            rc = MLOPS_OK;
        }
        if (rc == MLOPS_OK)
            rc = mlops_registry_register(reg, name, model, reason, version, sizeof version);
    }
    if (rc == MLOPS_OK && alias != NULL) rc = mlops_registry_set_alias(reg, name, alias, version, reason);
    if (rc == MLOPS_OK && (r->registry_version = mlops__strdup(version, "version")) == NULL)
        rc = MLOPS_ENOMEM;
    mlops_free(before);
    mlops__free(ref);
    mlops__free(model);
    return rc;
}

int mlops__run_register(mlops__run *r)
{
    if (mlops__pipeline_node(r->p, "registry") == NULL) return MLOPS_OK;
    const char *name = mlops__pipeline_value(r->p, "registry.name");
    if (name == NULL) name = mlops__pipeline_value(r->p, "name");
    const char *alias = mlops__pipeline_value(r->p, "registry.alias");
    const char *reason = mlops__pipeline_value(r->p, "registry.reason");
    bool passed = r->data_valid && r->gates_passed && !r->drift_failed;
    if ((r->registry_name = mlops__strdup(name, "registry name")) == NULL) return MLOPS_ENOMEM;
    if (alias != NULL && (r->registry_alias = mlops__strdup(alias, "alias")) == NULL)
        return MLOPS_ENOMEM;
    mlops_registry *reg = NULL;
    int rc = open_registry(r, &reg);
    if (rc == MLOPS_OK && passed) {
        rc = promote(r, reg, name, alias, reason);
    } else if (rc == MLOPS_OK && alias != NULL && r->payload_sha256[0] != '\0') {
        char why[256];
        snprintf(why, sizeof why, "pipeline %s: %s", mlops__pipeline_value(r->p, "name"),
                 !r->data_valid ? "data validation failed" : !r->gates_passed
                                                                 ? "an evaluation gate failed"
                                                                 : "the current batch drifted");
        rc = mlops_registry_record_refusal(reg, name, alias, r->payload_sha256, why);
        r->refused = rc == MLOPS_OK;
    }
    mlops_registry_free(reg);
    return rc;
}
