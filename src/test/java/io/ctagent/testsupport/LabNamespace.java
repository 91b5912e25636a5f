package io.ctagent.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made for one test, with a unique name, loopback up and conntrack turned
 * on by a rule that needs it. Traffic stays on its loopback. Always deleted by {@link #close()}.
 */
public final class LabNamespace implements AutoCloseable {

    private final String name;

    private LabNamespace(String name) {
        this.name = name;
    }

    /** Creates the namespace; conntrack starts tracking once an INVALID-drop rule exists. */
    public static LabNamespace create() {
        HostPrerequisites.require("ip", "iptables", "conntrack", "nsenter");
        LabNamespace lab = new LabNamespace("ctlab-" + UUID.randomUUID().toString().substring(0, 8));
        run("ip", "netns", "add", lab.name);
        try {
            lab.exec("ip", "link", "set", "lo", "up");
            lab.exec("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace and returns its stdout; fails on a non-zero exit. */
    public String exec(String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(command));
        return run(argv.toArray(String[]::new));
    }

    /**
     * Runs a command inside the namespace and returns only its stdout: for tools like conntrack whose stderr
     * summary would otherwise land in the middle of a buffered stdout line.
     */
    public String execStdout(String... command) {
        List<String> argv = new ArrayList<>(List.of(HostPrerequisites.which("ip"), "netns", "exec", name));
        argv.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + argv);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(argv + " exited " + process.exitValue());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a long-running process inside the namespace (e.g. the traffic generator). */
    public Process start(String... command) {
        List<String> argv = new ArrayList<>(List.of(HostPrerequisites.which("ip"), "netns", "exec", name));
        argv.addAll(List.of(command));
        try {
            return new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + argv, e);
        }
    }

    /** The namespace's conntrack entry count as `conntrack -C` reports it. */
    public long conntrackCount() {
        return Long.parseLong(exec("conntrack", "-C").strip());
    }

    public static String run(String... command) {
        List<String> argv = new ArrayList<>(List.of(command));
        String resolved = HostPrerequisites.which(argv.get(0));
        if (resolved != null) {
            argv.set(0, resolved);
        }
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + argv);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(argv + " exited " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            run("ip", "netns", "del", name);
        } catch (RuntimeException e) {
            System.err.println("could not delete lab namespace " + name + ": " + e.getMessage());
        }
    }
}
