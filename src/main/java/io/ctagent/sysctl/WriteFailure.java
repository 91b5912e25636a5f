package io.ctagent.sysctl;

import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.HostWrite;

/**
 * A failed host write explained for an operator: the errno behind it and what to do. The kernel
 * refusing (read-only, EOPNOTSUPP, EINVAL) is a 409; a tool or sudo failing is a 502.
 */
public record WriteFailure(HttpStatus status, String type, String title, String detail) {

    /** @param what what was being written, e.g. "net.netfilter.nf_conntrack_max = 524288" */
    public static WriteFailure of(String what, HostWrite write) {
        String said = write.message();
        return switch (write.error()) {
            case READ_ONLY_FILE_SYSTEM -> new WriteFailure(HttpStatus.CONFLICT, "host-read-only",
                    "Host file system is read-only", "Writing " + what + " failed: " + said + " (EROFS). /proc/sys or "
                    + "/sys is mounted read-only, as in a container that is not privileged; kube-proxy logs the same "
                    + "error. Run the agent privileged, or on the host with systemd.");
            case PERMISSION_DENIED -> new WriteFailure(HttpStatus.CONFLICT, "host-refused", "The kernel refused the write",
                    "Writing " + what + " failed: " + said + " (EACCES/EPERM). The key is read-only here (outside the "
                    + "initial network namespace max, buckets and expect_max are), or the agent lacks root / "
                    + "CAP_NET_ADMIN.");
            case NOT_SUPPORTED -> new WriteFailure(HttpStatus.CONFLICT, "not-supported", "Not supported here",
                    "Writing " + what + " failed: " + said + " (EOPNOTSUPP). The kernel allows it only from the "
                    + "initial network namespace; run the agent with hostNetwork.");
            case INVALID_ARGUMENT -> new WriteFailure(HttpStatus.CONFLICT, "kernel-refused-value",
                    "The kernel refused the value", "Writing " + what + " failed: " + said + " (EINVAL): the value is "
                    + "outside what this kernel accepts, or the key is read-only here and sysctl(8) reports it so.");
            case NOT_FOUND -> new WriteFailure(HttpStatus.CONFLICT, "gone", "Key or file missing",
                    "Writing " + what + " failed: " + said + ". nf_conntrack (or its protocol module) is not loaded, "
                    + "or the directory does not exist on the host.");
            case SUDO_REFUSED -> new WriteFailure(HttpStatus.BAD_GATEWAY, "sudo-refused", "sudo refused the command",
                    "Writing " + what + " failed: " + said + ". Install packaging/sudoers.d/conntrack-agent (sudo 1.9.10 "
                    + "or later) so the agent's user may run exactly this command.");
            case TIMED_OUT -> new WriteFailure(HttpStatus.BAD_GATEWAY, "host-command-timed-out", "Host command timed out",
                    "Writing " + what + " " + said + ". The host may be overloaded; retry, or raise "
                    + "ctagent.host.command-timeout.");
            default -> new WriteFailure(HttpStatus.BAD_GATEWAY, "host-write-failed", "Host write failed",
                    "Writing " + what + " failed: " + said + ".");
        };
    }

    /** A write that "succeeded" but reads back another value. */
    public static WriteFailure readBack(String key, long wanted, Long found) {
        return new WriteFailure(HttpStatus.BAD_GATEWAY, "read-back-mismatch", "Value did not stick",
                key + " was written as " + wanted + " but reads back as " + found + "; something else on the host "
                        + "(the kernel, another agent, a tuning daemon) changed it.");
    }
}
