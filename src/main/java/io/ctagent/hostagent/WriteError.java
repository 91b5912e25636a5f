package io.ctagent.hostagent;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Why a host write failed, by the errno (or sudo's refusal) behind it. */
public enum WriteError {
    /** EACCES or EPERM: a read-only sysctl (0444), or a missing capability. */
    PERMISSION_DENIED,
    /** EROFS: /proc/sys or /sys mounted read-only, as in an unprivileged container. */
    READ_ONLY_FILE_SYSTEM,
    /** EOPNOTSUPP: e.g. hashsize written from outside the initial network namespace. */
    NOT_SUPPORTED,
    /** EINVAL: the kernel refused the value. */
    INVALID_ARGUMENT,
    /** ENOENT: the file or key does not exist (module not loaded). */
    NOT_FOUND,
    /** sudo -n refused the command: the sudoers file does not allow it. */
    SUDO_REFUSED,
    /** The command outlived ctagent.host.command-timeout and was killed. */
    TIMED_OUT,
    /** Anything else; the message says what. */
    FAILED;

    /** Classifies an error message as strerror(3), sysctl(8), dd(1) or sudo(8) print it. */
    static WriteError fromMessage(String message) {
        String text = message == null ? "" : message;
        if (text.contains("a password is required") || text.contains("is not allowed to")
                || text.contains("may not run sudo") || text.startsWith("sudo:")) {
            return SUDO_REFUSED;
        }
        if (text.contains("Read-only file system")) {
            return READ_ONLY_FILE_SYSTEM;
        }
        if (text.contains("Operation not supported")) {
            return NOT_SUPPORTED;
        }
        if (text.contains("ermission denied") || text.contains("Operation not permitted")) {
            return PERMISSION_DENIED;
        }
        if (text.contains("Invalid argument")) {
            return INVALID_ARGUMENT;
        }
        if (text.contains("No such file") || text.contains("cannot stat")) {
            return NOT_FOUND;
        }
        return FAILED;
    }

    static WriteError of(IOException e) {
        if (e instanceof AccessDeniedException) {
            return PERMISSION_DENIED;
        }
        if (e instanceof NoSuchFileException) {
            return NOT_FOUND;
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fromMessage(fs.getReason());
        }
        return fromMessage(e.getMessage());
    }
}
