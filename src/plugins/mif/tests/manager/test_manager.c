/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Unit tests of the mif path manager's state machine, in process: real
 * ike_sa_t and message_t objects, fake kernel, no threads.
 */

#include "manager_tests.h"

#include <stdlib.h>

int main(void)
{
	Suite *s = suite_create("mif path manager");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, negotiation_tests());
	suite_add_tcase(s, verifier_tests());
	suite_add_tcase(s, owner_tests());
	suite_add_tcase(s, liveness_tests());
	suite_add_tcase(s, robustness_tests());

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
