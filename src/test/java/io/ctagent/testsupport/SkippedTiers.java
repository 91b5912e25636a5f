package io.ctagent.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says which test tiers did not run on this machine. Every test JVM (surefire's and failsafe's)
 * appends the tests that were skipped for a missing prerequisite (no root, a missing tool, no
 * Docker...) to target/test-skips/skips.tsv and rewrites target/test-skips/summary.txt from all of
 * them; the pom prints that summary at the end of {@code ./mvnw verify}. With CI=true those tests
 * fail instead (see {@link HostPrerequisites}), so there is nothing to list.
 */
public final class SkippedTiers implements TestExecutionListener {

    /** What prepares a fresh host for every tier; README ("Tests") names it too. */
    static final String PREPARE = "sudo bash scripts/prepare-host.sh";

    private static final Path DIR = Path.of("target", "test-skips");

    private final List<String> lines = new ArrayList<>();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        record(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        try {
            Files.createDirectories(DIR);
            Path skips = DIR.resolve("skips.tsv");
            Files.write(skips, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Files.writeString(DIR.resolve("summary.txt"), summary(Files.readAllLines(skips)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the skipped-tier summary under " + DIR, e);
        }
    }

    private void record(TestIdentifier test, String reason) {
        className(test).ifPresent(name -> lines.add(tier(name) + "\t" + simpleName(name) + "\t"
                + (reason == null ? "skipped" : reason.replace('\t', ' ').replace('\n', ' '))));
    }

    /** The summary of skip lines (tier, class, reason), grouped by tier; empty when nothing was skipped. */
    static String summary(List<String> skipLines) {
        Map<String, TreeSet<String>> classes = new TreeMap<>();
        Map<String, TreeSet<String>> reasons = new TreeMap<>();
        for (String line : skipLines) {
            String[] fields = line.split("\t", 3);
            if (fields.length < 3) {
                continue;
            }
            classes.computeIfAbsent(fields[0], tier -> new TreeSet<>()).add(fields[1]);
            reasons.computeIfAbsent(fields[0], tier -> new TreeSet<>())
                    .add(fields[2].replaceFirst("^Assumption failed: ", "").replaceFirst("^skipped: ", ""));
        }
        if (classes.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("SKIPPED TEST TIERS: these tests did not run on this machine, so a green "
                + "build does not cover them.\n");
        classes.forEach((tier, names) -> text.append("  ").append(tier).append(": ").append(names.size())
                .append(" class(es) (").append(String.join(", ", names)).append(")\n    why: ")
                .append(String.join("; ", reasons.get(tier))).append('\n'));
        text.append("  Prepare this host for every tier with: ").append(PREPARE).append(", then run ./mvnw verify "
                + "again (as root). With CI=true a skipped tier is a failure.\n");
        return text.toString();
    }

    /** The tier of a test class, as README's "Tests" section numbers them. */
    static String tier(String className) {
        String name = simpleName(className);
        if (name.endsWith("ContainerIT")) {
            return "container (*ContainerIT)";
        }
        if (name.contains("Browser")) {
            return "browser (*BrowserIT)";
        }
        if (className.contains(".reliability.")) {
            return "reliability (*FaultIT, load)";
        }
        if (name.endsWith("HostIT")) {
            return "real kernel (*HostIT)";
        }
        if (name.startsWith("Helm")) {
            return "helm chart";
        }
        return "other";
    }

    private static Optional<String> className(TestIdentifier test) {
        return test.getSource().map(source -> source instanceof MethodSource method ? method.getClassName()
                : source instanceof ClassSource type ? type.getClassName() : null);
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
