package io.ctagent.hostagent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.problem.OperatorProblem;

/**
 * The agent's own state files (desired state it must restore after a reboot), e.g.
 * /var/lib/conntrack-agent/notrack.json. Paths come from configuration, never from a client.
 * Writes are atomic: a crash leaves either the old or the new file, never half of one.
 */
@Component
public class StateFiles {

    /** Reads a state file; empty when it does not exist yet. */
    public Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "state-file-unreadable",
                    "State file unreadable", "Could not read " + file + ": " + e.getMessage()
                            + ". Check that the agent's user may read it.", e);
        }
    }

    /** Replaces a state file atomically (temp file in the same directory, fsync, rename), mode 0600. */
    public void write(Path file, String content) {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                setOwnerOnly(temp);
                channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw unwritable(file, "a temp file with the same name exists", e);
        } catch (IOException e) {
            throw unwritable(file, e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Only a leftover temp file; the state itself is consistent.
            }
        }
    }

    /** Removes a state file; nothing when it is not there. */
    public void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw unwritable(file, e.getMessage(), e);
        }
    }

    private static void setOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing more to restrict.
        }
    }

    private static OperatorProblem unwritable(Path file, String why, Exception cause) {
        return new OperatorProblem(HttpStatus.SERVICE_UNAVAILABLE, "state-file-unwritable", "State file unwritable",
                "Could not write " + file + ": " + why + ". Check that its directory exists and is writable by the "
                        + "agent's user, or set another path.", cause);
    }
}
