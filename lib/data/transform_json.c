/* mlops_transform_to_json: the transform as the model card shows it, so an
 * auditor can read which columns were filled, scaled and encoded, and with
 * which fitted numbers, without the library. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "data/transform_impl.h"

static void schema_json(mlops__json *j, const char *key, const mlops__tf_schema_col *s, size_t n)
{
    mlops__json_key(j, key);
    mlops__json_begin_array(j);
    for (size_t i = 0; i < n; i++) {
        mlops__json_begin_object(j);
        mlops__json_key(j, "name");
        mlops__json_string(j, s[i].name);
        mlops__json_key(j, "type");
        mlops__json_string(j, mlops_type_name(s[i].type));
        mlops__json_key(j, "role");
        mlops__json_string(j, mlops_role_name(s[i].role));
        mlops__json_key(j, "sensitive");
        mlops__json_bool(j, s[i].sensitive);
        mlops__json_end_object(j);
    }
    mlops__json_end_array(j);
}

static void strings_json(mlops__json *j, const char *key, char *const *v, size_t n)
{
    mlops__json_key(j, key);
    mlops__json_begin_array(j);
    for (size_t k = 0; k < n; k++) mlops__json_string(j, v[k]); /* NULL (missing) -> null */
    mlops__json_end_array(j);
}

static int col_json(mlops__json *j, int kind, const mlops__tf_col *c)
{
    mlops__json_begin_object(j);
    mlops__json_key(j, "column");
    mlops__json_string(j, c->name);
    mlops__json_key(j, "type");
    mlops__json_string(j, mlops_type_name(c->type));
    switch (kind) {
    case MLOPS__TF_IMPUTE:
        mlops__json_key(j, "fill_value");
        if (c->type == MLOPS_NUMERIC) mlops__json_double(j, c->p[0]);
        else mlops__json_string(j, c->fill);
        break;
    case MLOPS__TF_STANDARDIZE:
        mlops__json_key(j, "mean");
        mlops__json_double(j, c->p[0]);
        mlops__json_key(j, "scale");
        mlops__json_double(j, c->p[1]);
        break;
    case MLOPS__TF_MINMAX: {
        static const char *const keys[4] = {"data_min", "data_max", "scale", "offset"};
        for (int i = 0; i < 4; i++) {
            mlops__json_key(j, keys[i]);
            mlops__json_double(j, c->p[i]);
        }
        break;
    }
    case MLOPS__TF_ONEHOT: {
        strings_json(j, "categories", c->cats, c->nfreq);
        strings_json(j, "infrequent", c->infreq, c->ninfreq);
        mlops__json_key(j, "outputs");
        mlops__json_begin_array(j);
        for (size_t k = 0; k < mlops__tf_onehot_outputs(c); k++) {
            char *name = mlops__tf_onehot_name(c, k);
            if (name == NULL) return MLOPS_ENOMEM;
            mlops__json_string(j, name);
            mlops__free(name);
        }
        mlops__json_end_array(j);
        break;
    }
    default: break;
    }
    mlops__json_end_object(j);
    return MLOPS_OK;
}

MLOPS_API int mlops_transform_to_json(const mlops_transform *t, char **json)
{
    if (t == NULL || json == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_transform_to_json: NULL argument");
    const mlops__tf_fit *f = t->fit;
    mlops__json j;
    mlops__json_init(&j, true);
    mlops__json_begin_object(&j);
    mlops__json_key(&j, "fitted");
    mlops__json_bool(&j, f != NULL);
    if (f != NULL) {
        mlops__json_key(&j, "training_rows");
        mlops__json_uint(&j, f->rows);
        schema_json(&j, "input_columns", f->in, f->nin);
    }
    mlops__json_key(&j, "steps");
    mlops__json_begin_array(&j);
    int rc = MLOPS_OK;
    for (size_t i = 0; rc == MLOPS_OK && i < t->nsteps; i++) {
        const mlops__tf_step *s = &t->steps[i];
        mlops__json_begin_object(&j);
        mlops__json_key(&j, "kind");
        mlops__json_string(&j, mlops__tf_kind_name(s->kind));
        mlops__json_key(&j, "columns");
        mlops__json_string(&j, s->spec);
        mlops__json_key(&j, "settings");
        mlops__json_begin_object(&j);
        for (int k = 0; k < MLOPS__KEY_COUNT; k++) {
            const char *v = mlops__tf_key_text(s, k);
            if (v == NULL) continue;
            mlops__json_key(&j, mlops__tf_key_name(k));
            mlops__json_string(&j, v);
        }
        mlops__json_end_object(&j);
        if (f != NULL) {
            mlops__json_key(&j, "fitted");
            mlops__json_begin_array(&j);
            for (size_t k = 0; rc == MLOPS_OK && k < f->steps[i].ncols; k++)
                rc = col_json(&j, s->kind, &f->steps[i].cols[k]);
            mlops__json_end_array(&j);
        }
        mlops__json_end_object(&j);
    }
    mlops__json_end_array(&j);
    if (f != NULL) schema_json(&j, "output_columns", f->out, f->nout);
    mlops__json_end_object(&j);
    if (rc != MLOPS_OK) {
        mlops__json_free(&j);
        return rc;
    }
    size_t len;
    return mlops__json_finish(&j, json, &len);
}
