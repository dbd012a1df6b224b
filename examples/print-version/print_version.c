/* The smallest libmlops program: checks that the headers it was compiled
 * against match the library it runs with, and prints the version. CI builds
 * it against an installed tree through pkg-config to prove the install. */
#include <stdio.h>

#include <mlops.h>

int main(void)
{
    if (MLOPS_CHECK_VERSION() != MLOPS_OK) {
        fprintf(stderr, "print-version: %s\n", mlops_last_error());
        return 1;
    }
    printf("libmlops %s (headers %s)\n", mlops_version_string(), MLOPS_VERSION_STRING);
    return 0;
}
