package io.latentwatch.streaming.internals;

import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An observation as decoded, before featurisation: exactly one of {@code values} and {@code fields} is set.
 *
 * @param entity entity the observation belongs to (never blank)
 * @param timestamp event time, epoch milliseconds
 * @param values dense vector in the model's feature order (elements may be null: featurisation rejects them)
 * @param fields named values (may map to null: featurisation treats that as missing)
 */
public record DecodedObservation(String entity, long timestamp, List<? extends Number> values,
                                 Map<String, ? extends Number> fields) {

    public DecodedObservation {
        if (entity == null || entity.isEmpty()) {
            throw new IllegalArgumentException("entity must not be empty");
        }
        if ((values == null) == (fields == null)) {
            throw new IllegalArgumentException("exactly one of values and fields must be given");
        }
        values = values == null ? null : Collections.unmodifiableList(values);
        fields = fields == null ? null : Collections.unmodifiableMap(fields);
    }

    /** The model's feature vector, through the one featurisation the trainer also uses. */
    public float[] features(FeatureLayout layout) {
        return values != null ? layout.fromVector(values) : layout.fromFields(fields);
    }

    /**
     * The entity from the payload, else from the record key; rejects a record that has neither.
     *
     * @param payloadEntity entity field of the payload, possibly null or empty
     * @param key record key bytes, possibly null
     */
    static String entityOf(String payloadEntity, byte[] key) {
        if (payloadEntity != null && !payloadEntity.isEmpty()) {
            return payloadEntity;
        }
        if (key != null && key.length > 0) {
            return new String(key, StandardCharsets.UTF_8);
        }
        throw new InvalidRecordException(RejectionReason.MISSING_ENTITY, "the record has no entity field and no key");
    }
}
