package io.ctagent.hostagent;

/** Whether the agent can write a host file in its mode, and if not, why in an operator's words. */
public record Writability(boolean writable, String reason) {

    public static final Writability YES = new Writability(true, null);

    public static Writability no(String reason) {
        return new Writability(false, reason);
    }
}
