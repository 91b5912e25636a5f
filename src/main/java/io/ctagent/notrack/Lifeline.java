package io.ctagent.notrack;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.ctagent.audit.AuditResult;
import io.ctagent.change.AgentChange;
import io.ctagent.change.ChangeMode;
import io.ctagent.change.ChangePipeline;
import io.ctagent.change.Done;
import io.ctagent.hostagent.AgentLifeline;
import io.ctagent.hostagent.EffectiveMode;
import io.ctagent.hostagent.HostAgent;
import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.net.Cidr;
import io.ctagent.problem.InvalidInput;
import io.ctagent.problem.OperatorProblem;

/**
 * The agent's lifeline: one owned rule, tagged "ctagent:lifeline", that exempts TCP to the agent's
 * listening ports on this host's own addresses (and the replies from them) from connection tracking
 * in the namespace where it listens. When the table is full the kernel drops every new connection,
 * the agent's own API included; untracked packets need no table entry, so the agent still answers.
 * Installed when the server starts listening and on every reconcile, removed on a graceful stop;
 * refused (and the reason shown) in dry-run or read-only mode, when the filter rules would drop untracked packets
 * to the port, or when a DNAT/REDIRECT rule touches it. Audited with the actor "system".
 */
@Component
class Lifeline implements AgentLifeline, DisposableBean {

    static final String SETTING = "ctagent.lifeline.enabled";
    private static final Logger log = LoggerFactory.getLogger(Lifeline.class);
    private static final String COMMENT = "the agent's own API traffic to this host's addresses (" + SETTING + ")";

    private final HostAgent host;
    private final NotrackBackend backend;
    private final PlanRunner runner;
    private final ChangePipeline pipeline;
    private final NamespaceRules others;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final boolean enabled;
    private final Cidr address;
    private final Set<Integer> ports = new ConcurrentSkipListSet<>();
    private volatile LifelineStatus status;
    private volatile Instant installedAt;
    /**
     * The ports the copies in the kernel were installed for by this agent: the listing does not show ports,
     * so a copy from before a port was added (the management server starts after the main one) or from an
     * older agent is replaced rather than taken for the wanted rule.
     */
    private volatile List<Integer> installedFor = List.of();

    Lifeline(HostAgent host, NotrackBackend backend, PlanRunner runner, ChangePipeline pipeline, NamespaceRules others,
             LifelineProperties properties, ApplicationEventPublisher events, Clock clock,
             @Value("${server.address:}") String serverAddress) {
        this.host = host;
        this.backend = backend;
        this.runner = runner;
        this.pipeline = pipeline;
        this.others = others;
        this.events = events;
        this.clock = clock;
        this.enabled = properties.enabled();
        this.address = bindAddress(serverAddress);
        this.status = new LifelineStatus(enabled, false, List.of(), backend.name(),
                enabled ? "the server is not listening yet" : SETTING + " is false", null);
    }

    @Override
    public LifelineStatus status() {
        return status;
    }

    /** server.port and management.server.port, as bound (a configured 0 becomes the real port). */
    @EventListener
    void listening(WebServerInitializedEvent event) {
        listeningOn(event.getWebServer().getPort());
    }

    LifelineStatus listeningOn(int port) {
        ports.add(port);
        return ensure();
    }

    /** Installs the rule if it should be there and is not; called at start-up and by every reconcile. */
    LifelineStatus ensure() {
        if (!enabled || ports.isEmpty()) {
            return status;
        }
        List<Integer> listening = List.copyOf(ports);
        String refusedMode = switch (host.mode()) {
            case DRY_RUN -> "the agent runs in dry-run mode and installs nothing";
            case READ_ONLY -> "the agent runs read-only (neither root nor sudo) and cannot add NOTRACK rules";
            default -> null;
        };
        if (refusedMode != null) {
            return update(new LifelineStatus(true, false, listening, backend.name(), refusedMode, null));
        }
        try {
            return update(runner.locked(() -> reconcile(listening)));
        } catch (RuntimeException e) {
            log.warn("lifeline: {}", e.getMessage());
            String detail = e instanceof OperatorProblem problem ? problem.getBody().getDetail() : e.getMessage();
            return update(new LifelineStatus(true, false, listening, backend.name(), "installing it failed: " + detail,
                    null));
        }
    }

    private LifelineStatus reconcile(List<Integer> listening) {
        Ports wanted = new Ports(listening.stream().map(port -> new PortRange(port, port)).toList());
        List<RuleSpec> specs = specs(wanted);
        KernelState now = backend.read(NetnsTarget.OWN);
        Optional<LifelineSafety.Refusal> refusal = refusal(specs, wanted);
        if (refusal.isPresent()) {
            if (!now.copiesOf(NotrackRule.LIFELINE_ID).isEmpty()) {
                remove(now, "refused: " + refusal.get().reason());
            }
            return new LifelineStatus(true, false, listening, backend.name(), refusal.get().reason(),
                    refusal.get().ruleToAdd());
        }
        if (listening.equals(installedFor) && inForce(specs, now)) {
            return new LifelineStatus(true, true, listening, backend.name(), null, null);
        }
        List<NotrackRule> rules = specs.stream()
                .map(spec -> new NotrackRule(NotrackRule.LIFELINE_ID, spec, Instant.now(clock))).toList();
        List<HostCommand> plan = new ArrayList<>(backend.planRemove(NotrackRule.LIFELINE_ID, now));
        plan.addAll(backend.planAdd(rules, new KernelState(List.of(), now.structure())));
        boolean installed = pipeline.run(new SystemChange("notrack.lifeline.add",
                Map.of("ports", listening, "address", address == null ? "any" : address.withPrefix()), plan,
                this::removeQuietly, () -> inForce(specs, backend.read(NetnsTarget.OWN))));
        installedAt = Instant.now(clock);
        installedFor = installed ? listening : List.of();
        return new LifelineStatus(true, installed, listening, backend.name(),
                installed ? null : "the rule was not found in the kernel after adding it", null);
    }

    /** The filter rules would drop untracked packets to the port, or a DNAT/REDIRECT rule touches it. */
    private Optional<LifelineSafety.Refusal> refusal(List<RuleSpec> specs, Ports wanted) {
        List<NatRule> redirecting = others.survey(NetnsTarget.OWN).nat().stream()
                .filter(nat -> nat.rule().toUpperCase(java.util.Locale.ROOT).matches(".*\\b(DNAT|REDIRECT)\\b.*"))
                .filter(nat -> specs.stream().anyMatch(nat::overlaps))
                .toList();
        if (!redirecting.isEmpty()) {
            NatRule first = redirecting.get(0);
            return Optional.of(new LifelineSafety.Refusal("a DNAT/REDIRECT rule may touch port(s) " + wanted
                    + " and untracked packets are never NATed: " + first.location() + ": " + first.rule(), null));
        }
        return others.untrackedDropped(NetnsTarget.OWN, wanted);
    }

    /**
     * Every copy where it belongs, and no other copy; the arriving copy only for this host's addresses (a copy
     * for any destination, left by an older agent, is replaced).
     */
    private boolean inForce(List<RuleSpec> specs, KernelState now) {
        List<String> expected = specs.stream()
                .flatMap(spec -> backend.locations(spec).stream().map(where -> copy(where, spec.localDst())))
                .sorted().toList();
        List<String> found = now.copiesOf(NotrackRule.LIFELINE_ID).stream()
                .map(copy -> copy(copy.location(), now.localDst().contains(copy))).sorted().toList();
        return expected.equals(found);
    }

    private static String copy(String location, boolean localDst) {
        return localDst ? location + " (local destinations)" : location;
    }

    /** How GET /api/v1/notrack/rules shows it; null when it is off and not in the kernel. */
    RuleStatus ruleStatus(KernelState now) {
        List<KernelRule> copies = now == null ? List.of() : now.copiesOf(NotrackRule.LIFELINE_ID);
        if (!enabled && copies.isEmpty()) {
            return null;
        }
        Ports shown = ports.isEmpty() ? null
                : new Ports(ports.stream().map(port -> new PortRange(port, port)).toList());
        Boolean inKernel = now == null ? null : shown != null && inForce(specs(shown), now);
        String where = address == null ? null : address.withPrefix();
        return new RuleStatus(NotrackRule.LIFELINE_ID, null, Direction.BOTH, address == null ? IpFamily.BOTH
                : IpFamily.of(address.family()), Protocol.TCP, Objects.toString(shown, null), Objects.toString(shown, null), null,
                null, where, where, COMMENT, installedAt, false, inKernel,
                copies.stream().mapToLong(KernelRule::packets).sum(), copies.stream().mapToLong(KernelRule::bytes).sum(),
                copies, true);
    }

    /** DELETE of the lifeline: it is the agent's own, turned off by configuration only. */
    static OperatorProblem notDeletable() {
        return new OperatorProblem(HttpStatus.CONFLICT, "lifeline-rule", "The lifeline is a system rule",
                "The lifeline exempts the agent's own API traffic from connection tracking so the agent answers "
                        + "during a full table; the agent restores it on every reconcile. To remove it, set "
                        + SETTING + "=false and restart the agent.")
                .with("setting", SETTING);
    }

    /** A graceful stop takes the lifeline away: no rule of a stopped agent stays in the kernel. */
    @Override
    public void destroy() {
        if (!enabled || (host.mode() != EffectiveMode.DIRECT && host.mode() != EffectiveMode.SUDO)) {
            return;
        }
        try {
            runner.locked(() -> {
                KernelState now = backend.read(NetnsTarget.OWN);
                if (!now.copiesOf(NotrackRule.LIFELINE_ID).isEmpty()) {
                    remove(now, "the agent stops");
                }
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("could not remove the lifeline on stop: {}", e.getMessage());
        }
    }

    private void remove(KernelState now, String why) {
        installedFor = List.of();
        List<HostCommand> plan = backend.planRemove(NotrackRule.LIFELINE_ID, now);
        pipeline.run(new SystemChange("notrack.lifeline.remove", Map.of("why", why), plan, () -> { },
                () -> backend.read(NetnsTarget.OWN).copiesOf(NotrackRule.LIFELINE_ID).isEmpty()));
    }

    /** Adding or removing the lifeline: a change the agent makes for itself, so its actor is {@code system}. */
    private final class SystemChange implements AgentChange<Boolean> {

        private final String action;
        private final Map<String, ?> params;
        private final List<HostCommand> plan;
        private final Runnable undo;
        private final BooleanSupplier done;
        private List<CommandRecord> ran = List.of();

        SystemChange(String action, Map<String, ?> params, List<HostCommand> plan, Runnable undo,
                     BooleanSupplier done) {
            this.action = action;
            this.params = params;
            this.plan = plan;
            this.undo = undo;
            this.done = done;
        }

        @Override
        public String action() {
            return action;
        }

        @Override
        public String target() {
            return NotrackService.auditTarget(NetnsTarget.OWN, NotrackRule.LIFELINE_ID);
        }

        @Override
        public Map<String, ?> params() {
            return params;
        }

        @Override
        public void guard(ChangeMode mode) {
            // The safety checks ran before: the firewall, the NAT rules and the agent's mode.
        }

        @Override
        public void apply() {
            ran = runner.apply(NetnsTarget.OWN, plan, action, undo);
        }

        @Override
        public Done<Boolean> readBack() {
            boolean ok = done.getAsBoolean();
            return new Done<>(ok ? AuditResult.APPLIED : AuditResult.FAILED, null, Map.of("inForce", ok),
                    NotrackService.audited(ran), ok ? null : "the kernel does not hold what was intended", List.of(),
                    (auditId, warnings) -> ok);
        }

        @Override
        public Done<Boolean> plan() {
            return new Done<>(AuditResult.DRY_RUN, null, null, List.of(), null, List.of(), (auditId, warnings) -> false);
        }
    }

    private void removeQuietly() {
        List<HostCommand> plan = backend.planRemove(NotrackRule.LIFELINE_ID, backend.read(NetnsTarget.OWN));
        runner.apply(NetnsTarget.OWN, plan, "undoing the lifeline", () -> { });
    }

    private LifelineStatus update(LifelineStatus next) {
        LifelineStatus before = status;
        status = next;
        if (before.installed() != next.installed() || !Objects.equals(before.reason(), next.reason())) {
            if (next.installed()) {
                log.info("lifeline installed: TCP port(s) {} exempt from connection tracking ({})", next.ports(),
                        next.backend());
            } else {
                log.warn("lifeline not installed: {}", next.reason());
            }
            events.publishEvent(new LifelineChanged(next.installed(), next.ports(), next.backend(), next.reason(),
                    next.ruleToAdd(), Instant.now(clock)));
        }
        return next;
    }

    /**
     * Arriving to the ports of this host's own addresses, sent over loopback to the ports (local clients:
     * loopback packets keep the entry made at output), and the agent's replies from the ports. Arriving
     * packets the host only forwards (a pod's connection to port 8080 elsewhere) stay tracked, so NAT and
     * stateful FORWARD rules still see them; output sees only packets this host sends itself. With
     * server.address the local match is kept too: one form of the rule, and right for an address bound
     * with ip_nonlocal_bind that this host does not hold at the moment.
     */
    private List<RuleSpec> specs(Ports wanted) {
        IpFamily family = address == null ? IpFamily.BOTH : IpFamily.of(address.family());
        return List.of(
                new RuleSpec(Direction.PREROUTING, family, Protocol.TCP, wanted, null, null, null, null, address,
                        true, COMMENT),
                new RuleSpec(Direction.OUTPUT, family, Protocol.TCP, wanted, null, null, "lo", null, address,
                        COMMENT),
                new RuleSpec(Direction.OUTPUT, family, Protocol.TCP, null, wanted, null, null, address, null,
                        COMMENT));
    }

    /** server.address as a host network; empty, a wildcard or a host name means any address. */
    private static Cidr bindAddress(String text) {
        if (text == null || text.isBlank() || text.equals("0.0.0.0") || text.equals("::")) {
            return null;
        }
        try {
            return RuleSpecParser.cidr("server.address", text.strip());
        } catch (InvalidInput notAnAddress) {
            return null;
        }
    }
}
