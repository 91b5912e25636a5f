package io.ctagent.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hash chain: each record's {@code hash} is SHA-256 over its canonical JSON (keys sorted at
 * every level, no whitespace, {@code hash} left out, {@code prevHash} included). The writer and
 * the verifier both hash a record as parsed from its line, so they always agree on the bytes.
 */
final class AuditChain {

    /** prevHash of the very first record. */
    static final String GENESIS = "0".repeat(64);

    /** The audit's own mapper: the file format must not follow the application's JSON settings. */
    static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private AuditChain() {
    }

    /** Completes a record with prevHash and hash; returns the line to append (with its newline). */
    static String seal(AuditRecord record, String prevHash) {
        ObjectNode node = JSON.valueToTree(record);
        node.put("prevHash", prevHash);
        node.remove("hash");
        // Hash what a reader will parse, not the in-memory values (a BigDecimal could print differently).
        ObjectNode reparsed = (ObjectNode) JSON.readTree(JSON.writeValueAsString(node));
        node.put("hash", hash(reparsed));
        return JSON.writeValueAsString(node) + "\n";
    }

    /** The hash a parsed record should carry. */
    static String hash(ObjectNode record) {
        ObjectNode content = record.deepCopy();
        content.remove("hash");
        byte[] canonical = JSON.writeValueAsBytes(canonical(content));
        return HexFormat.of().formatHex(sha256(canonical));
    }

    static String hashOfLine(String line) {
        return hash((ObjectNode) JSON.readTree(line));
    }

    static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            node.properties().forEach(entry -> sorted.put(entry.getKey(), canonical(entry.getValue())));
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            sorted.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> out.add(canonical(element)));
            return out;
        }
        return node;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
