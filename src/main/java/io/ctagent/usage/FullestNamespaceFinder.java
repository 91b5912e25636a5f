package io.ctagent.usage;

import java.util.Optional;

/**
 * Where the usage endpoint learns the host's fullest namespace. The namespace inventory (monitor)
 * implements it, so this package does not depend on the one above it.
 */
public interface FullestNamespaceFinder {

    /** The namespace with the most entries as last sampled; empty before the first sample or when unreadable. */
    Optional<FullestNamespace> fullest();
}
