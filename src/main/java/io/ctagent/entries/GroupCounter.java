package io.ctagent.entries;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Counts entries per group key in flat arrays (open addressing over longs), so a summary of a million
 * entries allocates nothing per entry. Memory is bounded: past maxGroups distinct keys it prunes the
 * smaller half (lossy counting). After a prune, counts may be low by at most {@link #maxUndercount()},
 * and any group larger than that is still present: the top groups stay right when they matter.
 */
final class GroupCounter {

    private final int width;
    private final int maxGroups;
    /** The table never grows past this: maxGroups at a load factor of at most 0.8. */
    private final int maxCapacity;
    private long[] keys;
    private long[] counts;
    /** A second table of the same size that pruning rehashes into, so a prune allocates nothing. */
    private long[] spareKeys;
    private long[] spareCounts;
    private long[] scratch;
    private int mask;
    private int size;
    private long maxUndercount;

    /**
     * The most a counter of this width and cap ever holds: its table and the spare one pruning uses
     * (keys and counts), and the scratch array of counts.
     */
    static long bytesAtMost(int width, int maxGroups) {
        long capacity = Integer.highestOneBit((int) Math.ceil(maxGroups / 0.8) - 1) << 1;
        return 2 * capacity * (width + 1) * Long.BYTES + (long) maxGroups * Long.BYTES;
    }

    GroupCounter(int width, int maxGroups) {
        this.width = width;
        this.maxGroups = maxGroups;
        this.maxCapacity = Integer.highestOneBit((int) Math.ceil(maxGroups / 0.8) - 1) << 1;
        allocate(16);
    }

    void add(long[] key) {
        int slot = slotOf(key);
        if (counts[slot] != 0) {
            counts[slot]++;
            return;
        }
        if (size >= maxGroups) {
            prune();
            slot = slotOf(key);
        } else if ((size + 1) * 4L > (mask + 1) * 3L && mask + 1 < maxCapacity) {
            rehash((mask + 1) * 2);
            slot = slotOf(key);
        }
        System.arraycopy(key, 0, keys, slot * width, width);
        counts[slot] = 1;
        size++;
    }

    int size() {
        return size;
    }

    /** 0 while every count is exact; else the most any count may be short by. */
    long maxUndercount() {
        return maxUndercount;
    }

    /** Slots of the n largest groups, largest first; ties in key order so answers are stable. */
    int[] top(int n) {
        PriorityQueue<Integer> smallest = new PriorityQueue<>(this::compare);
        for (int slot = 0; slot <= mask; slot++) {
            if (counts[slot] == 0) {
                continue;
            }
            smallest.add(slot);
            if (smallest.size() > n) {
                smallest.poll();
            }
        }
        int[] top = new int[smallest.size()];
        for (int i = top.length - 1; i >= 0; i--) {
            top[i] = smallest.poll();
        }
        return top;
    }

    long count(int slot) {
        return counts[slot];
    }

    long[] keys() {
        return keys;
    }

    int offset(int slot) {
        return slot * width;
    }

    /** Orders slots from least to most important: lower count, then higher key. */
    private int compare(int a, int b) {
        int byCount = Long.compare(counts[a], counts[b]);
        if (byCount != 0) {
            return byCount;
        }
        return -Arrays.compare(keys, a * width, a * width + width, keys, b * width, b * width + width);
    }

    private int slotOf(long[] key) {
        long hash = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < width; i++) {
            hash = (hash ^ key[i]) * 0xBF58476D1CE4E5B9L;
            hash ^= hash >>> 31;
        }
        int slot = (int) hash & mask;
        while (counts[slot] != 0 && !sameKey(slot, key)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private boolean sameKey(int slot, long[] key) {
        int base = slot * width;
        for (int i = 0; i < width; i++) {
            if (keys[base + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** Drops every group at or below the median count; counts of groups that come back restart at 1. */
    private void prune() {
        if (scratch == null) {
            scratch = new long[maxGroups];
            spareKeys = new long[keys.length];
            spareCounts = new long[counts.length];
        }
        int n = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (counts[slot] != 0) {
                scratch[n++] = counts[slot];
            }
        }
        Arrays.sort(scratch, 0, n);
        long threshold = scratch[n / 2];
        maxUndercount += threshold;
        long[] oldKeys = keys;
        long[] oldCounts = counts;
        keys = spareKeys;
        counts = spareCounts;
        Arrays.fill(counts, 0);
        spareKeys = oldKeys;
        spareCounts = oldCounts;
        size = 0;
        long[] key = new long[width];
        for (int slot = 0; slot < oldCounts.length; slot++) {
            if (oldCounts[slot] > threshold) {
                System.arraycopy(oldKeys, slot * width, key, 0, width);
                int target = slotOf(key);
                System.arraycopy(key, 0, keys, target * width, width);
                counts[target] = oldCounts[slot];
                size++;
            }
        }
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        long[] oldCounts = counts;
        allocate(capacity);
        long[] key = new long[width];
        for (int slot = 0; slot < oldCounts.length; slot++) {
            if (oldCounts[slot] != 0) {
                System.arraycopy(oldKeys, slot * width, key, 0, width);
                int target = slotOf(key);
                System.arraycopy(key, 0, keys, target * width, width);
                counts[target] = oldCounts[slot];
            }
        }
    }

    private void allocate(int capacity) {
        keys = new long[capacity * width];
        counts = new long[capacity];
        mask = capacity - 1;
    }
}
