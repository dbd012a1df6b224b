/* Prints which OpenBLAS kernel this process runs, so benchmark reports can
 * say it (OpenBLAS may pick its slow generic kernel on some CPUs). */
#include <stdio.h>

char *openblas_get_corename(void);
char *openblas_get_config(void);

int main(void)
{
    printf("openblas core=%s config=%s\n", openblas_get_corename(), openblas_get_config());
    return 0;
}
