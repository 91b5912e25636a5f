package io.ctagent.hostagent;

/** The mode the agent actually runs in once privileges have been detected. */
public enum EffectiveMode {
    DIRECT, SUDO, DRY_RUN, READ_ONLY
}
