"""Loading libmlops through ctypes and declaring the C signatures.

The library is found, in order, at $MLOPS_LIBRARY, in the build tree next
to the source checkout (<root>/build*/lib), by the system linker's name
libmlops.so.1, or through ctypes.util.find_library("mlops"); see _locate.py."""
import ctypes

from ._locate import load_library

# The C API generation this binding was written for: major and minor of the
# library it expects (0.x releases may change the ABI between minors).
ABI_MAJOR, ABI_MINOR = 1, 0


def _load():
    return load_library(ABI_MAJOR, ABI_MINOR)


lib = _load()


def _declare(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)


_declare("mlops_strerror", ctypes.c_char_p, ctypes.c_int)
_declare("mlops_last_error", ctypes.c_char_p)
_declare("mlops_last_error_code", ctypes.c_int)
_declare("mlops_clear_error", None)
_declare("mlops_version", ctypes.c_uint)
_declare("mlops_version_string", ctypes.c_char_p)
_declare("mlops_version_check", ctypes.c_int, ctypes.c_uint)
_declare("mlops_live_allocations", ctypes.c_size_t)
_declare("mlops_free", None, ctypes.c_void_p)


# ---- Data, transform and model objects ----------------------------------
# Opaque handle types: a handle of one kind passed where another is expected
# raises ctypes.ArgumentError instead of reaching C.
def _opaque(name):
    return ctypes.POINTER(type(name, (ctypes.Structure,), {}))


dataset_p = _opaque("mlops_dataset")
builder_p = _opaque("mlops_dataset_builder")
csv_options_p = _opaque("mlops_csv_options")
transform_p = _opaque("mlops_transform")
model_p = _opaque("mlops_model")

c_double_p = ctypes.POINTER(ctypes.c_double)
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)
# char ** / unsigned char ** results freed with mlops_free(): read as
# addresses so the pointer survives the conversion to bytes.
c_out_buffer = ctypes.POINTER(ctypes.c_void_p)
progress_fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_void_p)

_int, _size, _str, _vp = ctypes.c_int, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p

_declare("mlops_role_name", _str, _int)
_declare("mlops_type_name", _str, _int)
_declare("mlops_role_from_name", _int, _str, ctypes.POINTER(_int))

_declare("mlops_csv_options_create", _int, ctypes.POINTER(csv_options_p))
_declare("mlops_csv_options_free", None, csv_options_p)
_declare("mlops_csv_options_set", _int, csv_options_p, _str, _str)
_declare("mlops_dataset_read_csv", _int, ctypes.POINTER(dataset_p), _str, csv_options_p)
_declare("mlops_dataset_read_csv_memory", _int, ctypes.POINTER(dataset_p), _vp, _size, _str,
         csv_options_p)

_declare("mlops_dataset_from_matrix", _int, ctypes.POINTER(dataset_p), c_double_p, _size, _size,
         _size, c_char_pp)
_declare("mlops_dataset_builder_create", _int, ctypes.POINTER(builder_p), _size)
_declare("mlops_dataset_builder_add_numeric", _int, builder_p, _str, c_double_p)
_declare("mlops_dataset_builder_add_categorical", _int, builder_p, _str, c_char_pp)
_declare("mlops_dataset_builder_set_role", _int, builder_p, _str, _int)
_declare("mlops_dataset_builder_finish", _int, builder_p, ctypes.POINTER(dataset_p))
_declare("mlops_dataset_builder_free", None, builder_p)
_declare("mlops_dataset_free", None, dataset_p)
_declare("mlops_dataset_rows", _size, dataset_p)
_declare("mlops_dataset_cols", _size, dataset_p)
_declare("mlops_dataset_column_name", _str, dataset_p, _size)
_declare("mlops_dataset_column_index", _int, dataset_p, _str, c_size_p)
_declare("mlops_dataset_column_type", _int, dataset_p, _size)
_declare("mlops_dataset_column_role", _int, dataset_p, _size)
_declare("mlops_dataset_set_role", _int, dataset_p, _size, _int)
_declare("mlops_dataset_missing_count", _size, dataset_p, _size)
_declare("mlops_dataset_get_numeric", _int, dataset_p, _size, _size, _size, c_double_p)
_declare("mlops_dataset_get_codes", _int, dataset_p, _size, _size, _size,
         ctypes.POINTER(ctypes.c_int32))
_declare("mlops_dataset_category_count", _size, dataset_p, _size)
_declare("mlops_dataset_category", _str, dataset_p, _size, ctypes.c_int32)
_declare("mlops_dataset_to_matrix", _int, dataset_p, c_size_p, _size, c_double_p, _size)
_declare("mlops_dataset_take_rows", _int, ctypes.POINTER(dataset_p), dataset_p, c_size_p, _size)
_declare("mlops_dataset_select_columns", _int, ctypes.POINTER(dataset_p), dataset_p, c_size_p,
         _size)
_declare("mlops_dataset_source", _str, dataset_p)
_declare("mlops_dataset_fingerprint", _int, dataset_p, ctypes.c_char_p, _size)

_declare("mlops_transform_create", _int, ctypes.POINTER(transform_p))
_declare("mlops_transform_free", None, transform_p)
_declare("mlops_transform_add", _int, transform_p, _str, _str)
_declare("mlops_transform_set", _int, transform_p, _size, _str, _str)
_declare("mlops_transform_fit", _int, transform_p, dataset_p)
_declare("mlops_transform_apply", _int, transform_p, dataset_p, ctypes.POINTER(dataset_p))
_declare("mlops_transform_is_fitted", _int, transform_p)
_declare("mlops_transform_step_count", _size, transform_p)
_declare("mlops_transform_step_kind", _str, transform_p, _size)
_declare("mlops_transform_output_count", _size, transform_p)
_declare("mlops_transform_output_name", _str, transform_p, _size)
_declare("mlops_transform_save", _int, transform_p, c_out_buffer, c_size_p)
_declare("mlops_transform_load", _int, ctypes.POINTER(transform_p), _vp, _size)
_declare("mlops_transform_to_json", _int, transform_p, c_out_buffer)

_declare("mlops_model_create", _int, ctypes.POINTER(model_p), _str)
_declare("mlops_model_free", None, model_p)
_declare("mlops_model_kind", _str, model_p)
_declare("mlops_model_set_param", _int, model_p, _str, _str)
_declare("mlops_model_set_param_double", _int, model_p, _str, ctypes.c_double)
_declare("mlops_model_get_param", _int, model_p, _str, c_out_buffer)
_declare("mlops_model_set_transform", _int, model_p, transform_p)
_declare("mlops_model_transform", transform_p, model_p)
_declare("mlops_model_set_progress", _int, model_p, progress_fn, _vp)
_declare("mlops_model_fit", _int, model_p, dataset_p)
_declare("mlops_model_is_fitted", _int, model_p)
_declare("mlops_model_info", _int, model_p, _str, c_double_p)
_declare("mlops_model_input_count", _size, model_p)
_declare("mlops_model_input_name", _str, model_p, _size)
_declare("mlops_model_input_type", _int, model_p, _size)
_declare("mlops_model_feature_count", _size, model_p)
_declare("mlops_model_feature_name", _str, model_p, _size)
_declare("mlops_model_target_name", _str, model_p)
_declare("mlops_model_class_count", _size, model_p)
_declare("mlops_model_class_label", _str, model_p, _size)
_declare("mlops_model_output_count", _size, model_p)
_declare("mlops_model_coefficients", _int, model_p, _int, c_double_p, _size, c_double_p, _size)
_declare("mlops_model_output_width", _size, model_p, _int)
_declare("mlops_model_predict", _int, model_p, dataset_p, _int, c_double_p, _size)
_declare("mlops_model_predict_matrix", _int, model_p, c_double_p, _size, _size, _int, c_double_p,
         _size)
_declare("mlops_model_contributions", _int, model_p, dataset_p, _size, _size, c_double_p, _size)
_declare("mlops_model_explain_json", _int, model_p, dataset_p, _size, _size, c_out_buffer)


# Saving, loading and the model card may be missing from an older build of
# the library; they are declared when present and the binding reports
# MLOPS_EUNSUPPORTED for them otherwise.
_optional_present = set()
for _name, _restype, _args in (
        ("mlops_model_card_set", _int, (model_p, _str, _str)),
        ("mlops_model_card_get", _int, (model_p, _str, c_out_buffer)),
        ("mlops_model_card_json", _int, (model_p, c_out_buffer)),
        ("mlops_model_payload_hash", _int, (model_p, ctypes.c_char_p, _size)),
        ("mlops_model_save", _int, (model_p, _str)),
        ("mlops_model_save_buffer", _int, (model_p, c_out_buffer, c_size_p)),
        ("mlops_model_load", _int, (ctypes.POINTER(model_p), _str)),
        ("mlops_model_load_buffer", _int, (ctypes.POINTER(model_p), _vp, _size))):
    if hasattr(lib, _name):
        _declare(_name, _restype, *_args)
        _optional_present.add(_name)


# ---- Profiles and drift monitoring -----------------------------------------
# Declared when present, like the functions above: a library without them
# still loads, and mlops.Profile / mlops.DriftMonitor report MLOPS_EUNSUPPORTED.
profile_p = _opaque("mlops_profile")
drift_monitor_p = _opaque("mlops_drift_monitor")
drift_report_p = _opaque("mlops_drift_report")
drift_alert_fn = ctypes.CFUNCTYPE(None, _vp, _int, drift_report_p, _str)
_u64, _dbl = ctypes.c_uint64, ctypes.c_double
_u64_p, _int_p = ctypes.POINTER(_u64), ctypes.POINTER(_int)
MONITOR_FUNCTIONS = (
    ("mlops_profile_create", _int, (ctypes.POINTER(profile_p),)),
    ("mlops_profile_free", None, (profile_p,)),
    ("mlops_profile_set", _int, (profile_p, _str, _str)),
    ("mlops_profile_add", _int, (profile_p, dataset_p)),
    ("mlops_profile_merge", _int, (profile_p, profile_p)),
    ("mlops_profile_rows", _u64, (profile_p,)),
    ("mlops_profile_cols", _size, (profile_p,)),
    ("mlops_profile_duplicate_rows", _int, (profile_p, _u64_p, _int_p)),
    ("mlops_profile_column_name", _str, (profile_p, _size)),
    ("mlops_profile_column_type", _int, (profile_p, _size)),
    ("mlops_profile_column_index", _int, (profile_p, _str, c_size_p)),
    ("mlops_profile_column_flags", _int, (profile_p, _size)),
    ("mlops_profile_counts", _int, (profile_p, _size, _u64_p, _u64_p)),
    ("mlops_profile_distinct", _int, (profile_p, _size, _u64_p, _int_p)),
    ("mlops_profile_stats", _int, (profile_p, _size, c_double_p, c_double_p, c_double_p,
                                   c_double_p)),
    ("mlops_profile_quantile", _int, (profile_p, _size, _dbl, c_double_p, _int_p)),
    ("mlops_profile_top_count", _int, (profile_p, _size, c_size_p)),
    ("mlops_profile_top", _int, (profile_p, _size, _size, c_char_pp, _u64_p, _u64_p)),
    ("mlops_profile_fix_bins", _int, (profile_p,)),
    ("mlops_profile_has_bins", _int, (profile_p,)),
    ("mlops_profile_create_like", _int, (ctypes.POINTER(profile_p), profile_p)),
    ("mlops_profile_bin_count", _int, (profile_p, _size, c_size_p)),
    ("mlops_profile_bin", _int, (profile_p, _size, _size, c_double_p, c_double_p, c_char_pp,
                                 _u64_p)),
    ("mlops_profile_save", _int, (profile_p, _str)),
    ("mlops_profile_load", _int, (ctypes.POINTER(profile_p), _str)),
    ("mlops_profile_to_json", _int, (profile_p, c_out_buffer)),
    ("mlops_drift_monitor_create", _int, (ctypes.POINTER(drift_monitor_p), profile_p)),
    ("mlops_drift_monitor_free", None, (drift_monitor_p,)),
    ("mlops_drift_monitor_set_param", _int, (drift_monitor_p, _str, _str)),
    ("mlops_drift_monitor_set_column", _int, (drift_monitor_p, _str, _str, _dbl)),
    ("mlops_drift_monitor_set_method", _int, (drift_monitor_p, _str, _dbl)),
    ("mlops_drift_monitor_set_model", _int, (drift_monitor_p, model_p)),
    ("mlops_drift_monitor_set_alert", _int, (drift_monitor_p, drift_alert_fn, _vp)),
    ("mlops_drift_monitor_compare", _int, (drift_monitor_p, profile_p,
                                           ctypes.POINTER(drift_report_p))),
    ("mlops_drift_monitor_add", _int, (drift_monitor_p, dataset_p)),
    ("mlops_drift_monitor_flush", _int, (drift_monitor_p,)),
    ("mlops_drift_monitor_add_labels", _int, (drift_monitor_p, _u64, dataset_p, _str, _size)),
    ("mlops_drift_monitor_window_count", _size, (drift_monitor_p,)),
    ("mlops_drift_monitor_window", _int, (drift_monitor_p, _size,
                                          ctypes.POINTER(drift_report_p))),
    ("mlops_drift_monitor_counter", _int, (drift_monitor_p, _str, _u64_p)),
    ("mlops_drift_monitor_history_json", _int, (drift_monitor_p, c_out_buffer)),
    ("mlops_drift_monitor_prometheus", _int, (drift_monitor_p, _vp, _size, c_size_p)),
    ("mlops_drift_report_free", None, (drift_report_p,)),
    ("mlops_drift_report_dataset_drift", _int, (drift_report_p, c_double_p)),
    ("mlops_drift_report_severity", _int, (drift_report_p,)),
    ("mlops_drift_report_column_count", _size, (drift_report_p,)),
    ("mlops_drift_report_column", _int, (drift_report_p, _size, c_char_pp, c_char_pp, c_double_p,
                                         c_double_p, c_double_p, c_double_p, _int_p)),
    ("mlops_drift_report_finding_count", _size, (drift_report_p,)),
    ("mlops_drift_report_finding", _int, (drift_report_p, _size, c_char_pp, c_char_pp, _u64_p,
                                          c_char_pp)),
    ("mlops_drift_report_window", _int, (drift_report_p, _u64_p, _u64_p, _u64_p, c_double_p,
                                         c_double_p)),
    ("mlops_drift_report_performance", _int, (drift_report_p, c_char_pp, c_double_p, c_double_p,
                                              _u64_p, _int_p)),
    ("mlops_drift_report_json", _int, (drift_report_p, c_out_buffer)),
)
for _name, _restype, _args in MONITOR_FUNCTIONS:
    if hasattr(lib, _name):
        _declare(_name, _restype, *_args)
        _optional_present.add(_name)


# ---- Pipelines, the model registry and decision logs -----------------------
# Declared when present, like the functions above: mlops.Pipeline,
# mlops.Registry and mlops.DecisionLog report MLOPS_EUNSUPPORTED without them.
pipeline_p = _opaque("mlops_pipeline")
registry_p = _opaque("mlops_registry")
decision_log_p = _opaque("mlops_decision_log")
pipeline_step_fn = ctypes.CFUNCTYPE(_int, _vp, _str, _str, _int)
PIPELINE_FUNCTIONS = (
    ("mlops_pipeline_load", _int, (ctypes.POINTER(pipeline_p), _str)),
    ("mlops_pipeline_free", None, (pipeline_p,)),
    ("mlops_pipeline_override", _int, (pipeline_p, _str)),
    ("mlops_pipeline_validate", _int, (pipeline_p,)),
    ("mlops_pipeline_problem_count", _size, (pipeline_p,)),
    ("mlops_pipeline_problem", _str, (pipeline_p, _size)),
    ("mlops_pipeline_problems_json", _int, (pipeline_p, c_out_buffer)),
    ("mlops_pipeline_config_json", _int, (pipeline_p, c_out_buffer)),
    ("mlops_pipeline_set_step_callback", _int, (pipeline_p, pipeline_step_fn, _vp)),
    ("mlops_pipeline_run", _int, (pipeline_p, _str)),
    ("mlops_pipeline_summary_json", _int, (pipeline_p, c_out_buffer)),
    ("mlops_run_verify", _int, (_str, c_out_buffer)),
)
REGISTRY_FUNCTIONS = (
    ("mlops_registry_open", _int, (ctypes.POINTER(registry_p), _str, ctypes.c_uint)),
    ("mlops_registry_free", None, (registry_p,)),
    ("mlops_registry_set_actor", _int, (registry_p, _str)),
    ("mlops_registry_register", _int, (registry_p, _str, _str, _str, ctypes.c_char_p, _size)),
    ("mlops_registry_set_alias", _int, (registry_p, _str, _str, _str, _str)),
    ("mlops_registry_retire", _int, (registry_p, _str, _str, _str)),
    ("mlops_registry_record_refusal", _int, (registry_p, _str, _str, _str, _str)),
    ("mlops_registry_resolve", _int, (registry_p, _str, c_out_buffer, c_out_buffer)),
    ("mlops_registry_load_model", _int, (registry_p, _str, ctypes.POINTER(model_p))),
    ("mlops_registry_list_json", _int, (registry_p, c_out_buffer)),
    ("mlops_registry_history_json", _int, (registry_p, _str, c_out_buffer)),
    ("mlops_registry_alias_at", _int, (registry_p, _str, _str, _str, c_out_buffer)),
    ("mlops_registry_verify", _int, (_str, c_out_buffer)),
    ("mlops_audit_verify", _int, (_str, c_out_buffer)),
    ("mlops_decision_log_open", _int, (ctypes.POINTER(decision_log_p), _str)),
    ("mlops_decision_log_free", None, (decision_log_p,)),
    ("mlops_decision_log_set_actor", _int, (decision_log_p, _str)),
    ("mlops_decision_fingerprint", _int, (model_p, dataset_p, _size, ctypes.c_char_p, _size)),
    ("mlops_decision_log_record", _int, (decision_log_p, model_p, _str, dataset_p, _size, _str)),
    ("mlops_decision_log_record_dataset", _int, (decision_log_p, model_p, _str, dataset_p,
                                                 c_char_pp)),
)
for _name, _restype, _args in PIPELINE_FUNCTIONS + REGISTRY_FUNCTIONS:
    if hasattr(lib, _name):
        _declare(_name, _restype, *_args)
        _optional_present.add(_name)


# ---- Schemas, validation, splits, streaming CSV, dataset extras ------------
# Declared when present, like the functions above: mlops.Schema, the split
# methods and mlops.CsvReader report MLOPS_EUNSUPPORTED without them.
# (mlops_set_logger is declared with its callback type in _log.py.)
schema_p = _opaque("mlops_schema")
validation_p = _opaque("mlops_validation")
csv_reader_p = _opaque("mlops_csv_reader")
_u32_p, _dataset_pp = ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(dataset_p)
DATA_FUNCTIONS = (
    ("mlops_schema_create", _int, (ctypes.POINTER(schema_p),)),
    ("mlops_schema_free", None, (schema_p,)),
    ("mlops_schema_infer", _int, (ctypes.POINTER(schema_p), dataset_p)),
    ("mlops_schema_infer_ex", _int, (ctypes.POINTER(schema_p), dataset_p, _size)),
    ("mlops_schema_column_count", _size, (schema_p,)),
    ("mlops_schema_column_name", _str, (schema_p, _size)),
    ("mlops_schema_column_index", _int, (schema_p, _str, c_size_p)),
    ("mlops_schema_add_column", _int, (schema_p, _str, _int)),
    ("mlops_schema_remove_column", _int, (schema_p, _str)),
    ("mlops_schema_set", _int, (schema_p, _str, _str, _str)),
    ("mlops_schema_get", _int, (schema_p, _str, _str, c_out_buffer)),
    ("mlops_schema_set_categories", _int, (schema_p, _str, c_char_pp, _size)),
    ("mlops_schema_categories", _int, (schema_p, _str, ctypes.POINTER(c_char_pp), c_size_p)),
    ("mlops_schema_set_option", _int, (schema_p, _str, _str)),
    ("mlops_schema_get_option", _int, (schema_p, _str, c_out_buffer)),
    ("mlops_schema_to_json", _int, (schema_p, c_out_buffer)),
    ("mlops_schema_save", _int, (schema_p, _str)),
    ("mlops_schema_from_text", _int, (ctypes.POINTER(schema_p), _vp, _size, _str)),
    ("mlops_schema_load", _int, (ctypes.POINTER(schema_p), _str)),
    ("mlops_schema_check", _int, (schema_p, dataset_p, ctypes.POINTER(validation_p))),
    ("mlops_validation_free", None, (validation_p,)),
    ("mlops_validation_passed", _int, (validation_p,)),
    ("mlops_validation_count", _size, (validation_p,)),
    ("mlops_validation_rows", _size, (validation_p,)),
    ("mlops_validation_kind", _int, (validation_p, _size)),
    ("mlops_violation_kind_name", _str, (_int,)),
    ("mlops_validation_column", _str, (validation_p, _size)),
    ("mlops_validation_row_count", _size, (validation_p, _size)),
    ("mlops_validation_samples", _int, (validation_p, _size, ctypes.POINTER(c_size_p), c_size_p)),
    ("mlops_validation_message", _str, (validation_p, _size)),
    ("mlops_validation_to_json", _int, (validation_p, c_out_buffer)),
    ("mlops_split_train_test", _int, (dataset_p, _dbl, _u64, _str, _dataset_pp, _dataset_pp)),
    ("mlops_split_train_test_rows", _int, (dataset_p, _size, _u64, _str, _dataset_pp,
                                           _dataset_pp)),
    ("mlops_split_kfold", _int, (dataset_p, _size, ctypes.c_uint, _u64, _str, _u32_p, _size)),
    ("mlops_split_fold", _int, (dataset_p, _u32_p, _size, ctypes.c_uint32, _dataset_pp,
                                _dataset_pp)),
    ("mlops_split_by_time", _int, (dataset_p, _str, _dbl, _dataset_pp, _dataset_pp)),
    ("mlops_csv_options_set_progress", _int, (csv_options_p, progress_fn, _vp)),
    ("mlops_csv_reader_open", _int, (ctypes.POINTER(csv_reader_p), _str, csv_options_p)),
    ("mlops_csv_reader_next", _int, (csv_reader_p, _dataset_pp)),
    ("mlops_csv_reader_rows", _u64, (csv_reader_p,)),
    ("mlops_csv_reader_skipped_rows", _u64, (csv_reader_p,)),
    ("mlops_csv_reader_free", None, (csv_reader_p,)),
    ("mlops_dataset_column_sensitive", _int, (dataset_p, _size)),
    ("mlops_dataset_set_sensitive", _int, (dataset_p, _size, _int)),
    ("mlops_dataset_numeric_data", _int, (dataset_p, _size, ctypes.POINTER(c_double_p))),
    ("mlops_dataset_is_missing", _int, (dataset_p, _size, _size)),
    ("mlops_dataset_feature_columns", _int, (dataset_p, c_size_p, _size, c_size_p)),
    ("mlops_dataset_filter_rows", _int, (_dataset_pp, dataset_p, _vp)),
    ("mlops_dataset_concat_rows", _int, (_dataset_pp, _dataset_pp, _size)),
    ("mlops_dataset_skipped_rows", _u64, (dataset_p,)),
    ("mlops_model_predict_row", _int, (model_p, c_double_p, _size, _int, c_double_p, _size)),
    ("mlops_transform_fit_apply", _int, (transform_p, dataset_p, _dataset_pp)),
    ("mlops_log_level_name", _str, (_int,)),
)
for _name, _restype, _args in DATA_FUNCTIONS:
    if hasattr(lib, _name):
        _declare(_name, _restype, *_args)
        _optional_present.add(_name)


def has(name):
    """True when the loaded library exports `name` (and it is declared)."""
    return name in _optional_present
