package io.ctagent.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The audit file and its rotated predecessors (PATH.1 newest ... PATH.N oldest). Appends are
 * serialised, each one chained to the last and forced to disk before it returns. Opened at
 * start-up so that a bad path stops the agent rather than its first change.
 *
 * <p>What happens when all files are in use depends on what they hold: change history is never
 * deleted (the append is refused with {@link Full}, and the change with it), while a log given a
 * {@link Removal} deletes its oldest file after telling the removal what goes.
 */
final class AuditFile implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditFile.class);

    /** Opens the file for reading and writing; replaceable in tests to simulate a full disk. */
    interface Opener {
        FileChannel open(Path path) throws IOException;
    }

    /** Told what rotation is about to delete, before it does; throwing keeps the file (and refuses the append). */
    interface Removal {
        void removing(Removed removed) throws IOException;
    }

    /** A rotated file about to be deleted: how many records it holds, its first and last id. */
    record Removed(String file, long records, String firstId, String lastId) {
    }

    /** Every file is in use and this log keeps its history: nothing more can be written. */
    static final class Full extends IOException {
        Full(String message) {
            super(message);
        }
    }

    private final Path path;
    private final long maxFileSize;
    private final int maxFiles;
    private final Opener opener;
    private final Removal removal;
    private final Pattern rotatedName;
    private final ReentrantLock lock = new ReentrantLock();
    private FileChannel channel;
    private Object fileKey;
    private String lastHash;

    AuditFile(Path path, long maxFileSize, int maxFiles) {
        this(path, maxFileSize, maxFiles, AuditFile::openReadWrite);
    }

    AuditFile(Path path, long maxFileSize, int maxFiles, Opener opener) {
        this(path, maxFileSize, maxFiles, opener, null);
    }

    AuditFile(Path path, long maxFileSize, int maxFiles, Removal removal) {
        this(path, maxFileSize, maxFiles, AuditFile::openReadWrite, removal);
    }

    /** @param removal null to keep every record (refuse appends when full), else told before a file is deleted */
    AuditFile(Path path, long maxFileSize, int maxFiles, Opener opener, Removal removal) {
        this.path = path.toAbsolutePath().normalize();
        this.maxFileSize = maxFileSize;
        this.maxFiles = maxFiles;
        this.opener = opener;
        this.removal = removal;
        this.rotatedName = Pattern.compile(Pattern.quote(this.path.getFileName().toString()) + "\\.(\\d+)");
        try {
            open();
            dropTornTail();
            lastHash = findLastHash();
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw new IllegalStateException("Cannot open the audit log at " + this.path + ": " + describe(e)
                    + ". Fix ctagent.audit.path (its directory must exist and be writable by the agent); "
                    + "the agent does not run without its audit log.", e);
        }
        log.info("audit log {} (rotates at {} bytes, keeps {} files)", this.path, maxFileSize, maxFiles);
    }

    Path path() {
        return path;
    }

    int maxFiles() {
        return maxFiles;
    }

    /**
     * Chains, appends and fsyncs one record. On any failure the file is cut back to where it was,
     * the chain does not advance, and an UncheckedIOException says why.
     */
    void append(AuditRecord record) {
        lock.lock();
        try {
            String line = AuditChain.seal(record, lastHash);
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            long start = -1;
            try {
                reopenIfMoved();
                if (channel.size() > 0 && channel.size() + bytes.length > maxFileSize) {
                    rotate();
                }
                start = channel.size();
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long position = start;
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
                channel.force(true);
                lastHash = AuditChain.hashOfLine(line);
            } catch (IOException e) {
                cutBack(start);
                throw new UncheckedIOException(path + ": " + describe(e), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The files as they are now, oldest first, each opened for reading and bounded to its current
     * size: later appends or a rotation cannot change what a reader of the snapshot sees.
     */
    AuditSnapshot snapshot() {
        lock.lock();
        List<AuditSnapshot.Segment> segments = new ArrayList<>();
        try {
            for (Path file : files()) {
                FileChannel reader = FileChannel.open(file, StandardOpenOption.READ);
                segments.add(new AuditSnapshot.Segment(file.getFileName().toString(), reader, reader.size()));
            }
            return new AuditSnapshot(segments, lastHash, maxFiles);
        } catch (IOException e) {
            segments.forEach(segment -> closeQuietly(segment.channel()));
            throw new UncheckedIOException("cannot read the audit log " + path + ": " + describe(e), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeQuietly();
        } finally {
            lock.unlock();
        }
    }

    /** Rotated files oldest first, then the current one. */
    List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>(rotated().descendingMap().values());
        if (Files.exists(path)) {
            files.add(path);
        }
        return files;
    }

    private TreeMap<Integer, Path> rotated() throws IOException {
        TreeMap<Integer, Path> found = new TreeMap<>();
        try (var entries = Files.list(path.getParent())) {
            entries.forEach(file -> {
                Matcher matcher = rotatedName.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    found.put(Integer.parseInt(matcher.group(1)), file);
                }
            });
        }
        return found;
    }

    private void rotate() throws IOException {
        TreeMap<Integer, Path> rotated = rotated();
        for (Map.Entry<Integer, Path> oldest : rotated.descendingMap().entrySet()) {
            if (oldest.getKey() + 1 < maxFiles) {
                break;
            }
            if (removal == null) {
                throw new Full("the audit log is full: its " + maxFiles + " files of " + maxFileSize + " bytes "
                        + "hold change history, which the agent never deletes. Move the oldest ("
                        + oldest.getValue() + ") to an archive or raise ctagent.audit.max-files");
            }
            removal.removing(summarise(oldest.getValue()));
        }
        channel.force(true);
        closeQuietly();
        for (Map.Entry<Integer, Path> old : rotated.descendingMap().entrySet()) {
            int next = old.getKey() + 1;
            if (next >= maxFiles) {
                Files.delete(old.getValue());
            } else {
                Files.move(old.getValue(), sibling(next), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.move(path, sibling(1), StandardCopyOption.ATOMIC_MOVE);
        forceDirectory();
        open();
    }

    /** Counts the records of a file and reads its first and last id. */
    private static Removed summarise(Path file) throws IOException {
        long records = 0;
        String first = null;
        String last = null;
        try (var lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                records++;
                if (first == null) {
                    first = line;
                }
                last = line;
            }
        }
        return new Removed(file.getFileName().toString(), records, idOf(first), idOf(last));
    }

    private static String idOf(String line) {
        if (line == null) {
            return null;
        }
        try {
            JsonNode id = AuditChain.JSON.readTree(line).get("id");
            return id != null && id.isString() ? id.stringValue() : null;
        } catch (JacksonException damaged) {
            return null;
        }
    }

    private Path sibling(int index) {
        return path.resolveSibling(path.getFileName() + "." + index);
    }

    /** Someone moved or deleted the file under us: writing on would lose records, so start a new one. */
    private void reopenIfMoved() throws IOException {
        Object current;
        try {
            current = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            current = null;
        }
        if (channel == null || !channel.isOpen() || current == null || !current.equals(fileKey)) {
            if (channel != null) {
                log.warn("audit file {} was moved or deleted; starting a new one there", path);
            }
            closeQuietly();
            open();
        }
    }

    private void open() throws IOException {
        channel = opener.open(path);
        fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    private static FileChannel openReadWrite(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** A crash mid-write leaves a line without its newline; it was never acknowledged, so it goes. */
    private void dropTornTail() throws IOException {
        long size = channel.size();
        if (size == 0 || byteAt(channel, size - 1) == '\n') {
            return;
        }
        long keep = size - 1;
        while (keep > 0 && byteAt(channel, keep - 1) != '\n') {
            keep--;
        }
        log.warn("audit file {} ended in a torn record ({} bytes, left by a crash during a write); removed it",
                path, size - keep);
        channel.truncate(keep);
        channel.force(true);
    }

    private String findLastHash() throws IOException {
        String last = lastLine(channel);
        if (last == null) {
            Path previous = sibling(1);
            if (Files.exists(previous)) {
                try (FileChannel older = FileChannel.open(previous, StandardOpenOption.READ)) {
                    last = lastLine(older);
                }
            }
        }
        if (last == null) {
            return AuditChain.GENESIS;
        }
        try {
            JsonNode hash = AuditChain.JSON.readTree(last).get("hash");
            if (hash != null && hash.isString()) {
                return hash.stringValue();
            }
        } catch (JacksonException unreadable) {
            // fall through: verify will name the damaged record
        }
        log.error("the last audit record in {} is damaged; chaining on from its raw bytes. "
                + "GET /api/v1/audit/verify names it.", path);
        return java.util.HexFormat.of().formatHex(AuditChain.sha256(last.getBytes(StandardCharsets.UTF_8)));
    }

    /** The last newline-terminated line, without its newline; null for an empty file. */
    static String lastLine(FileChannel file) throws IOException {
        long size = file.size();
        if (size == 0) {
            return null;
        }
        long end = size - 1;
        long start = end;
        while (start > 0 && byteAt(file, start - 1) != '\n') {
            start--;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) (end - start));
        while (buffer.hasRemaining()) {
            if (file.read(buffer, start + buffer.position()) < 0) {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static byte byteAt(FileChannel file, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        file.read(one, position);
        return one.get(0);
    }

    private void cutBack(long size) {
        if (size < 0 || channel == null || !channel.isOpen()) {
            return;
        }
        try {
            channel.truncate(size);
        } catch (IOException e) {
            log.error("could not cut the audit file {} back after a failed write: {}", path, e.getMessage());
        }
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be synced; the renames are still done.
            log.debug("cannot fsync {}: {}", path.getParent(), e.getMessage());
        }
    }

    private void closeQuietly() {
        closeQuietly(channel);
        channel = null;
    }

    static void closeQuietly(FileChannel open) {
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // nothing more to do with a channel that will not close
            }
        }
    }

    static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "its directory does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
