package io.latentwatch.core.bundle;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code manifest.json} of a model bundle: what the ONNX graph expects and produces, its thresholds,
 * the SHA-256 of the graph file, and provenance.
 *
 * <p>Input elements are laid out time-major: for window length W and features f0..fn, element
 * {@code t * n + f} holds feature f at window position t, oldest position first.
 *
 * @param formatVersion bundle format version ({@link BundleContract#FORMAT_VERSION})
 * @param modelId stable name of the model (one per use case)
 * @param modelVersion version of this bundle within the model id
 * @param createdAt ISO-8601 instant of export
 * @param architecture model family and shape, for example {@code dense[8,4]}
 * @param featureNames names of the features of one record, in input order
 * @param windowLength 1 for tabular records, W for time series windows
 * @param inputWidth featureNames.size() * windowLength
 * @param inputShape logical shape of one input, product inputWidth: {@code [F]} for records, {@code [W, F]} for
 *     windows, {@code [C, H, W]} for images (the graph's input stays flat {@code [batch, inputWidth]})
 * @param latentDim width of the latent code
 * @param normalisation constants applied inside the graph
 * @param thresholds alert thresholds on the score
 * @param onnxSha256 hex SHA-256 of {@code model.onnx}
 * @param provenance data, settings and library versions
 */
public record ModelManifest(
        int formatVersion,
        String modelId,
        String modelVersion,
        String createdAt,
        String architecture,
        List<String> featureNames,
        int windowLength,
        int inputWidth,
        List<Integer> inputShape,
        int latentDim,
        Normalisation normalisation,
        Thresholds thresholds,
        String onnxSha256,
        Provenance provenance) {

    public ModelManifest {
        featureNames = List.copyOf(featureNames);
        inputShape = inputShape == null ? null : List.copyOf(inputShape);
    }

    /** A copy with another SHA-256 (set when the graph file is written). */
    public ModelManifest withOnnxSha256(String sha256) {
        return new ModelManifest(formatVersion, modelId, modelVersion, createdAt, architecture, featureNames,
                windowLength, inputWidth, inputShape, latentDim, normalisation, thresholds, sha256, provenance);
    }

    /** A copy with other thresholds (a deployment may override the calibrated ones). */
    public ModelManifest withThresholds(Thresholds newThresholds) {
        return new ModelManifest(formatVersion, modelId, modelVersion, createdAt, architecture, featureNames,
                windowLength, inputWidth, inputShape, latentDim, normalisation, newThresholds, onnxSha256, provenance);
    }

    /** Names of the input elements: the feature names, or {@code name[t-k]} per window position. */
    public List<String> elementNames() {
        if (windowLength == 1) {
            return featureNames;
        }
        List<String> names = new ArrayList<>(inputWidth);
        for (int t = 0; t < windowLength; t++) {
            int back = windowLength - 1 - t;
            for (String f : featureNames) {
                names.add(back == 0 ? f + "[t]" : f + "[t-" + back + "]");
            }
        }
        return names;
    }

    /** Every way this manifest contradicts itself; empty when it is consistent. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (formatVersion != BundleContract.FORMAT_VERSION) {
            problems.add("formatVersion is " + formatVersion + ", this build reads " + BundleContract.FORMAT_VERSION);
        }
        if (modelId == null || modelId.isBlank()) {
            problems.add("modelId is missing");
        }
        if (modelVersion == null || modelVersion.isBlank()) {
            problems.add("modelVersion is missing");
        }
        if (featureNames.isEmpty()) {
            problems.add("featureNames is empty");
        }
        if (windowLength < 1) {
            problems.add("windowLength is " + windowLength + ", must be at least 1");
        }
        if (inputWidth != featureNames.size() * windowLength) {
            problems.add("inputWidth is " + inputWidth + " but featureNames (" + featureNames.size()
                    + ") x windowLength (" + windowLength + ") = " + featureNames.size() * windowLength);
        }
        if (inputShape == null || inputShape.isEmpty()) {
            problems.add("inputShape is missing");
        } else if (inputShape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b) != inputWidth) {
            problems.add("inputShape " + inputShape + " does not multiply out to inputWidth " + inputWidth);
        }
        if (latentDim < 1) {
            problems.add("latentDim is " + latentDim + ", must be at least 1");
        }
        if (normalisation == null) {
            problems.add("normalisation is missing");
        } else if (normalisation.width() != inputWidth) {
            problems.add("normalisation has " + normalisation.width() + " entries, inputWidth is " + inputWidth);
        }
        if (thresholds == null) {
            problems.add("thresholds are missing");
        }
        if (onnxSha256 == null || !onnxSha256.matches("[0-9a-f]{64}")) {
            problems.add("onnxSha256 is not a hex SHA-256: " + onnxSha256);
        }
        return problems;
    }
}
