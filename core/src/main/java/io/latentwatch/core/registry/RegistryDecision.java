package io.latentwatch.core.registry;

import java.util.Map;
import java.util.Objects;

/**
 * One entry of a model's decision log in the {@link ModelRegistry}: a version was registered, promoted, rolled back
 * to, or a challenger was rejected, with the figures the decision rested on.
 *
 * @param modelId the model
 * @param version the version the decision concerns (for a rollback: the version now promoted)
 * @param action what happened
 * @param timestampMillis when, epoch milliseconds
 * @param reason why, in words
 * @param figures the comparison figures (name to value as text), empty when there were none
 */
public record RegistryDecision(String modelId, String version, Action action, long timestampMillis, String reason,
                               Map<String, String> figures) {

    /** What a decision did. */
    public enum Action {
        /** A bundle was added to the registry (not served yet). */
        REGISTERED,
        /** A version became the one served. */
        PROMOTED,
        /** The promoted version was replaced by the one promoted before it. */
        ROLLED_BACK,
        /** A challenger was not promoted (worse than the champion, or its run failed); the champion stays. */
        REJECTED
    }

    public RegistryDecision {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(action, "action");
        reason = reason == null ? "" : reason;
        figures = figures == null ? Map.of() : Map.copyOf(figures);
    }
}
