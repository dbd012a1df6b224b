/* Shared main() of the Check test programs: each program defines
 * test_suite() and gets the fault-injecting allocator installed first. */
#include <check.h>
#include <stdlib.h>

#include "fault_alloc.h"
#include "runner.h"

int main(void)
{
    fault_alloc_install();
    SRunner *runner = srunner_create(test_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
