package io.ctagent.notrack;

/** One copy of a rule to put into the kernel, at one hook. */
record Placement(NotrackRule rule, Hook hook) {
}
