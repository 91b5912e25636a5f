package io.ctagent.notrack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.ctagent.hostagent.CommandResult;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.MutationLock;
import io.ctagent.hostagent.NetnsTarget;

/**
 * Runs a backend's plan through the host agent, in order, stopping at the first failure and
 * undoing what was done. NOTRACK changes (API and reconcile alike) take the agent's one
 * mutation lock, so they never interleave with sysctl, hashsize or flush changes either.
 */
@Component
class PlanRunner {

    private static final Logger log = LoggerFactory.getLogger(PlanRunner.class);

    private final HostAgent host;
    private final MutationLock lock;

    PlanRunner(HostAgent host, MutationLock lock) {
        this.host = host;
        this.lock = lock;
    }

    <T> T locked(Supplier<T> change) {
        return lock.exclusive(change);
    }

    /** The exact commands a plan would run: what a dry run answers. */
    List<CommandRecord> planned(NetnsTarget netns, List<HostCommand> plan) {
        return plan.stream()
                .map(command -> CommandRecord.planned(host.argv(netns, command.tool(), command.args()),
                        command.stdin()))
                .toList();
    }

    /**
     * Runs the plan. On a failed command, runs {@code undo} (best effort) and throws the
     * failure as a 502 problem that lists the commands run so far.
     */
    List<CommandRecord> apply(NetnsTarget netns, List<HostCommand> plan, String doing, Runnable undo) {
        // A missing tool (ip6tables, say) is a 503 before anything runs, not halfway through.
        plan.forEach(command -> host.tools().require(command.tool()));
        List<CommandRecord> ran = new ArrayList<>();
        for (HostCommand command : plan) {
            byte[] input = command.stdin() == null ? null : command.stdin().getBytes(StandardCharsets.UTF_8);
            CommandResult result;
            try {
                result = host.run(netns, command.tool(), command.args(), input);
            } catch (RuntimeException e) {
                if (!ran.isEmpty()) {
                    undoQuietly(undo, doing);
                }
                throw e;
            }
            ran.add(new CommandRecord(result.argv(), command.stdin(), result.exitCode(), result.durationMillis()));
            if (!result.succeeded()) {
                undoQuietly(undo, doing);
                throw host.commandFailed(result, doing).with("commands", ran);
            }
        }
        return ran;
    }

    static void undoQuietly(Runnable undo, String doing) {
        try {
            undo.run();
        } catch (RuntimeException e) {
            log.error("could not undo after a failure while {}: {}", doing, e.getMessage());
        }
    }
}
