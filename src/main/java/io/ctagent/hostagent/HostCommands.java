package io.ctagent.hostagent;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.springframework.http.HttpStatus;

import io.ctagent.hostagent.CommandRunner.StdoutConsumer;
import io.ctagent.problem.OperatorProblem;

/**
 * Runs host tools in the agent's own network namespace or a named one, with the command lines of
 * {@link CommandLines}, and turns a failed command into a problem saying what to do.
 */
final class HostCommands {

    private final HostPaths paths;
    private final CommandLines lines;
    private final CommandRunner runner;
    private final HostPrivilege privilege;

    HostCommands(HostPaths paths, CommandLines lines, CommandRunner runner, HostPrivilege privilege) {
        this.paths = paths;
        this.lines = lines;
        this.runner = runner;
        this.privilege = privilege;
    }

    /** Fails with 404 when a named namespace does not exist under /run/netns. */
    void requireNetns(NetnsTarget netns) {
        netns.name().ifPresent(name -> {
            if (!Files.exists(paths.netnsDir().resolve(name))) {
                throw new OperatorProblem(HttpStatus.NOT_FOUND, "netns-not-found", "Network namespace not found",
                        "No network namespace named '" + name + "' under " + paths.netnsDir()
                                + ". List them with 'ip netns list' or GET /api/v1/netns.")
                        .with("field", "netns");
            }
        });
    }

    CommandResult run(NetnsTarget netns, Tool tool, List<String> args) {
        requireNetns(netns);
        return runner.run(lines.privileged(netns, tool, args));
    }

    CommandResult run(NetnsTarget netns, Tool tool, List<String> args, byte[] input) {
        requireNetns(netns);
        return runner.run(lines.privileged(netns, tool, args), input);
    }

    CommandResult runUnprivileged(Tool tool, List<String> args) {
        return runner.run(lines.unprivileged(tool, args));
    }

    CommandResult runDiscardingStdout(NetnsTarget netns, Tool tool, List<String> args, Duration timeout) {
        requireNetns(netns);
        return runner.runDiscardingStdout(lines.privileged(netns, tool, args), timeout);
    }

    CommandResult stream(NetnsTarget netns, Tool tool, List<String> args, Duration timeout,
                         StdoutConsumer consumer) {
        requireNetns(netns);
        return runner.stream(lines.privileged(netns, tool, args), timeout, consumer);
    }

    /** A 502 problem for a host command that failed, quoting what it said. */
    OperatorProblem failed(CommandResult result, String doing) {
        String said = result.stderr().isBlank() ? result.stdout() : result.stderr();
        said = said.strip();
        if (said.length() > 500) {
            said = said.substring(0, 500) + "...";
        }
        String detail;
        if (result.timedOut()) {
            detail = "Timed out after " + result.durationMillis() + " ms " + doing + "; the command was killed. "
                    + "The host may be overloaded; retry, or raise ctagent.host.command-timeout.";
        } else if (privilege.sudo() && said.contains("sudo")) {
            detail = "sudo refused " + doing + ": " + said + ". Install packaging/sudoers.d/conntrack-agent "
                    + "so the agent's user may run exactly this command.";
        } else {
            detail = "Host command failed (exit " + result.exitCode() + ") " + doing + ": " + said;
        }
        return new OperatorProblem(HttpStatus.BAD_GATEWAY, "host-command-failed", "Host command failed", detail)
                .with("command", result.argv())
                .with("exitCode", result.exitCode());
    }
}
