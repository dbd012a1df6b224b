/* Run-time version queries and the header/library compatibility check. */
#include "core/error.h"
#include "mlops/version.h"

MLOPS_API unsigned mlops_version(void)
{
    return MLOPS_VERSION_NUMBER;
}

MLOPS_API const char *mlops_version_string(void)
{
    return MLOPS_VERSION_STRING;
}

MLOPS_API int mlops_version_check(unsigned compiled_version)
{
    unsigned major = compiled_version >> 16, minor = (compiled_version >> 8) & 0xffu,
             patch = compiled_version & 0xffu;
    int compatible = major == MLOPS_VERSION_MAJOR &&
                     (major == 0 ? minor == MLOPS_VERSION_MINOR : minor <= MLOPS_VERSION_MINOR);
    if (compiled_version > 0xffffffu || !compatible)
        return mlops__fail(MLOPS_EVERSION,
                           "program compiled against libmlops %u.%u.%u cannot use the "
                           "installed library %s",
                           major, minor, patch, MLOPS_VERSION_STRING);
    return MLOPS_OK;
}
