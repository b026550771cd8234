package io.latentwatch.streaming.internals;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.Thresholds;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model this instance should serve, shared by its stream tasks: the {@link ModelFollower} puts a verified,
 * warmed-up bundle here, and each {@link ScoringProcessor} picks it up between two micro-batches. Thread-safe.
 */
public final class ModelSlot {
    /**
     * A verified bundle with its effective thresholds.
     *
     * @param generation increases by one on every change, so a task knows whether it serves the latest
     */
    public record Serving(ModelBundle bundle, Thresholds thresholds, long generation) {
        public Serving {
            Objects.requireNonNull(bundle, "bundle");
            Objects.requireNonNull(thresholds, "thresholds");
        }
    }

    private final AtomicReference<Serving> current;

    public ModelSlot(ModelBundle initial, Thresholds thresholds) {
        this.current = new AtomicReference<>(new Serving(initial, thresholds, 0));
    }

    public Serving current() {
        return current.get();
    }

    /** Makes {@code bundle} the one to serve; returns the new entry. */
    public Serving offer(ModelBundle bundle, Thresholds thresholds) {
        return current.updateAndGet(s -> new Serving(bundle, thresholds, s.generation() + 1));
    }
}
