package io.ctagent.tuning;

/** Counts the "cpuN" lines of /proc/stat: the CPUs online. */
final class CpuCount {

    private CpuCount() {
    }

    static int fromProcStat(String stat) {
        int cpus = 0;
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                cpus++;
            }
        }
        return cpus;
    }
}
