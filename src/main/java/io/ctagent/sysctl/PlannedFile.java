package io.ctagent.sysctl;

/**
 * A file a change writes (or would write, in a dry run), with its whole new content.
 *
 * @param path the host path, e.g. /etc/sysctl.d/90-conntrack-agent.conf
 * @param content the complete content after the change
 */
public record PlannedFile(String path, String content) {
}
