package io.ctagent.monitor;

/** One /dev/kmsg record: "prio,seq,usec,flags;text". */
record KernelMessage(int priority, long sequence, long timestampMicros, String text) {
}
