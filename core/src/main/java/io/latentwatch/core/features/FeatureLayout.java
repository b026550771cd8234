package io.latentwatch.core.features;

import java.util.List;
import java.util.Map;

/**
 * Turns one record's values into the model's feature vector, in the order of the manifest's feature
 * names, and rejects what the model cannot take. Trainer and streaming both featurise through this class.
 */
public final class FeatureLayout {
    private final List<String> featureNames;

    public FeatureLayout(List<String> featureNames) {
        if (featureNames.isEmpty()) {
            throw new IllegalArgumentException("a feature layout needs at least one feature");
        }
        this.featureNames = List.copyOf(featureNames);
    }

    public List<String> featureNames() {
        return featureNames;
    }

    public int width() {
        return featureNames.size();
    }

    /** Checks a dense vector: right length, every value finite. */
    public float[] fromVector(List<? extends Number> values) {
        if (values.size() != featureNames.size()) {
            throw new InvalidRecordException(RejectionReason.WRONG_LENGTH,
                    "vector has " + values.size() + " values, the model expects " + featureNames.size());
        }
        float[] row = new float[values.size()];
        for (int i = 0; i < row.length; i++) {
            Number v = values.get(i);
            if (v == null) {
                throw new InvalidRecordException(RejectionReason.MISSING_FIELD, "value " + i + " is null");
            }
            row[i] = checkFinite(featureNames.get(i), v.doubleValue());
        }
        return row;
    }

    /** Picks the model's features out of named fields; extra fields are ignored. */
    public float[] fromFields(Map<String, ? extends Number> fields) {
        float[] row = new float[featureNames.size()];
        for (int i = 0; i < row.length; i++) {
            String name = featureNames.get(i);
            Number v = fields.get(name);
            if (v == null) {
                throw new InvalidRecordException(RejectionReason.MISSING_FIELD,
                        "field '" + name + "' is missing; the model expects " + featureNames);
            }
            row[i] = checkFinite(name, v.doubleValue());
        }
        return row;
    }

    private static float checkFinite(String name, double v) {
        float f = (float) v;
        if (!Double.isFinite(v) || !Float.isFinite(f)) {
            throw new InvalidRecordException(RejectionReason.NON_FINITE, "feature '" + name + "' is " + v);
        }
        return f;
    }
}
