package io.latentwatch.core.bundle;

/**
 * Names fixed by the bundle format: the files of a bundle directory and the tensors of its ONNX graph.
 *
 * <p>Every model, whatever its architecture, exports one graph with one input and these four outputs, so
 * that serving never does maths of its own.
 */
public final class BundleContract {
    /** Current bundle format version, written to every manifest. */
    public static final int FORMAT_VERSION = 1;
    /** The ONNX file inside a bundle directory. */
    public static final String MODEL_FILE = "model.onnx";
    /** The manifest inside a bundle directory. */
    public static final String MANIFEST_FILE = "manifest.json";

    /** Input: raw (un-normalised) values, float32 [batch, inputWidth]. */
    public static final String INPUT = "input";
    /** Output: latent code, float32 [batch, latentDim]. */
    public static final String LATENT = "latent";
    /** Output: reconstruction in input units, float32 [batch, inputWidth]. */
    public static final String RECONSTRUCTION = "reconstruction";
    /** Output: squared error per input element in normalised units, float32 [batch, inputWidth]. */
    public static final String FEATURE_ERROR = "feature_error";
    /** Output: anomaly score (mean of feature_error), float32 [batch]. */
    public static final String SCORE = "score";

    private BundleContract() {}
}
