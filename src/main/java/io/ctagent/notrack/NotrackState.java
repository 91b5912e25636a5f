package io.ctagent.notrack;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.stereotype.Component;

import io.ctagent.hostagent.NetnsTarget;
import io.ctagent.hostagent.StateFiles;
import io.ctagent.net.Cidr;
import io.ctagent.problem.InvalidInput;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * The desired NOTRACK rules of every namespace, kept in ctagent.notrack.state-file so they
 * survive restarts and reboots. Keyed by namespace name; "" is the agent's own namespace.
 * Loaded at start-up (a broken file stops the start, naming the entry); written whole and
 * atomically on every change, before the in-memory copy changes.
 */
@Component
class NotrackState {

    static final int VERSION = 1;

    private final StateFiles files;
    private final ObjectMapper json;
    private final Path file;
    private volatile Map<String, List<NotrackRule>> rules;

    NotrackState(NotrackProperties properties, StateFiles files, ObjectMapper json) {
        this.files = files;
        this.json = json;
        this.file = Path.of(properties.stateFile());
        this.rules = files.read(file).map(this::parse).orElseGet(Map::of);
    }

    Path file() {
        return file;
    }

    List<NotrackRule> rules(NetnsTarget netns) {
        return rules.getOrDefault(key(netns), List.of());
    }

    /** Every namespace that has rules, by key ("" for the agent's own). */
    Map<String, List<NotrackRule>> all() {
        return rules;
    }

    /** Replaces one namespace's rules, on disk first. */
    synchronized void replace(NetnsTarget netns, List<NotrackRule> newRules) {
        Map<String, List<NotrackRule>> next = new TreeMap<>(rules);
        if (newRules.isEmpty()) {
            next.remove(key(netns));
        } else {
            next.put(key(netns), List.copyOf(newRules));
        }
        files.write(file, render(next));
        rules = Map.copyOf(next);
    }

    static String key(NetnsTarget netns) {
        return netns.name().orElse("");
    }

    static NetnsTarget target(String key) {
        return NetnsTarget.parse(key);
    }

    /** One rule as stored: the same text fields a client sends, parsed again on load. */
    record StoredRule(String id, String createdAt, String direction, String family, String protocol, String dports,
                      String sports, String iif, String oif, String src, String dst, String comment) {
    }

    record StoredState(int version, Map<String, List<StoredRule>> namespaces) {
    }

    private String render(Map<String, List<NotrackRule>> state) {
        Map<String, List<StoredRule>> namespaces = new LinkedHashMap<>();
        state.forEach((netns, list) -> namespaces.put(netns, list.stream().map(NotrackState::store).toList()));
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(new StoredState(VERSION, namespaces)) + "\n";
    }

    private static StoredRule store(NotrackRule rule) {
        RuleSpec spec = rule.spec();
        return new StoredRule(rule.id(), rule.createdAt().toString(), spec.direction().name(), spec.family().value(),
                spec.protocol() == null ? null : spec.protocol().value(), text(spec.dports()), text(spec.sports()),
                spec.iif(), spec.oif(), text(spec.src()), text(spec.dst()), spec.comment());
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** A network as NOTRACK rules have always shown it: network/prefix, even for a single host. */
    private static String text(Cidr value) {
        return value == null ? null : value.withPrefix();
    }

    private Map<String, List<NotrackRule>> parse(String text) {
        StoredState stored;
        try {
            stored = json.readValue(text, StoredState.class);
        } catch (JacksonException e) {
            throw broken("it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (stored.version() != VERSION || stored.namespaces() == null) {
            throw broken("version " + stored.version() + " is not " + VERSION + " or 'namespaces' is missing");
        }
        Map<String, List<NotrackRule>> parsed = new TreeMap<>();
        stored.namespaces().forEach((netns, list) -> {
            try {
                NetnsTarget.parse(netns);
            } catch (InvalidInput e) {
                throw broken("'" + netns + "' is not a namespace name");
            }
            List<NotrackRule> rules = new ArrayList<>();
            for (StoredRule rule : list) {
                rules.add(load(netns, rule));
            }
            parsed.put(netns, List.copyOf(rules));
        });
        return Map.copyOf(parsed);
    }

    private NotrackRule load(String netns, StoredRule rule) {
        try {
            RuleSpec spec = RuleSpecParser.parse(NotrackRequest.of(rule.direction(), rule.family(), rule.protocol(),
                    rule.dports(), rule.sports(), rule.iif(), rule.oif(), rule.src(), rule.dst(), rule.comment()));
            return new NotrackRule(NotrackRule.parseId(rule.id()), spec, Instant.parse(rule.createdAt()));
        } catch (InvalidInput e) {
            throw broken("rule " + rule.id() + " of namespace '" + netns + "': " + e.getBody().getDetail());
        } catch (DateTimeParseException | NullPointerException e) {
            throw broken("rule " + rule.id() + " of namespace '" + netns + "' has no valid createdAt");
        }
    }

    private IllegalStateException broken(String why) {
        return new IllegalStateException("The NOTRACK state file " + file + " cannot be used: " + why
                + ". Fix or move it away (the agent then starts without NOTRACK rules), or point "
                + "ctagent.notrack.state-file elsewhere.");
    }
}
