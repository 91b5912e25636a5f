package io.ctagent.monitor;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Something the agent saw: a kernel message about conntrack or a problem of its own.
 *
 * @param id increasing sequence number, usable as the SSE Last-Event-ID
 * @param netnsInode the namespace the kernel named ("in netns N"), when it did
 * @param netns the name of that namespace under /run/netns, when it has one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentEvent(long id, Instant time, EventType type, Severity severity, String message,
                         Long netnsInode, String netns, String source) {
}
