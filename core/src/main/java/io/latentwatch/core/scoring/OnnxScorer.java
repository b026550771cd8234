package io.latentwatch.core.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.latentwatch.core.bundle.BundleContract;
import io.latentwatch.core.bundle.InvalidBundleException;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores rows with a bundle's ONNX graph in ONNX Runtime. Opening checks that the graph's input and
 * outputs have the names and widths the manifest promises and refuses the bundle otherwise.
 *
 * <p>Not thread-safe for concurrent {@link #score} calls on one instance in the sense of ordering; ONNX
 * Runtime sessions themselves allow concurrent runs. Close it to free native memory.
 */
public final class OnnxScorer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxScorer.class);

    private final ModelManifest manifest;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ExecutionProvider provider;
    private final String providerReason;

    private OnnxScorer(ModelManifest manifest, OrtEnvironment env, OrtSession session, ExecutionProvider provider,
                       String providerReason) {
        this.manifest = manifest;
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.providerReason = providerReason;
    }

    /** Stack for the thread that opens sessions: reserved, only touched as deep as ONNX Runtime goes. */
    static final long OPEN_STACK_BYTES = 16L << 20;

    /**
     * Opens a session for a verified bundle; throws {@link InvalidBundleException} if the graph does not match.
     *
     * <p>ONNX Runtime 1.29 overflows a 1 MiB native stack while it creates and optimises a session, and the
     * JVM dies with SIGSEGV. 1 MiB is the default Java thread stack on Linux x64 (Kafka Streams threads get
     * it), so opening runs on a helper thread with a large stack; running a session is fine on any stack.
     */
    public static OnnxScorer open(ModelBundle bundle, ScorerOptions options) {
        AtomicReference<OnnxScorer> scorer = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread opener = new Thread(null, () -> {
            try {
                scorer.set(openOnThisThread(bundle, options));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "latentwatch-onnx-open", OPEN_STACK_BYTES);
        opener.setDaemon(true);
        opener.start();
        boolean interrupted = false;
        while (true) {
            try {
                opener.join(); // uninterruptibly: returning early would leak the session being made
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException("cannot open an ONNX Runtime session for " + bundle, e);
        }
        return scorer.get();
    }

    private static OnnxScorer openOnThisThread(ModelBundle bundle, ScorerOptions options) {
        return openOnThisThread(bundle, options, OrtEnvironment.getAvailableProviders(), OnnxScorer::appendProvider);
    }

    /** Adds an accelerator's execution provider to session options (a seam for tests: a build without one). */
    @FunctionalInterface
    interface ProviderAppender {
        void append(OrtSession.SessionOptions options, ExecutionProvider provider) throws OrtException;
    }

    private static void appendProvider(OrtSession.SessionOptions so, ExecutionProvider provider) throws OrtException {
        if (provider == ExecutionProvider.CUDA) {
            so.addCUDA(0);
        } else if (provider == ExecutionProvider.COREML) {
            so.addCoreML();
        }
    }

    /**
     * Opens with the provider {@link #choose} picks. An accelerator that is in the ONNX Runtime build but does not
     * start (the GPU build on a host without CUDA's libraries or without a GPU) is skipped like a missing one: with
     * {@code auto} the next is tried, with an explicit one the fallback setting decides.
     */
    static OnnxScorer openOnThisThread(ModelBundle bundle, ScorerOptions options, EnumSet<OrtProvider> available,
                                       ProviderAppender appender) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> skipped = new ArrayList<>();
        ExecutionProvider chosen = choose(options, available, skipped);
        while (true) {
            OrtSession session;
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(options.intraOpThreads());
                so.setInterOpNumThreads(options.interOpThreads());
                so.setOptimizationLevel(options.optimizationLevel().ortLevel());
                appender.append(so, chosen);
                session = env.createSession(bundle.onnxModel(), so);
            } catch (OrtException e) {
                if (chosen == ExecutionProvider.CPU) {
                    throw cannotLoad(bundle, e);
                }
                chosen = afterFailedStart(chosen, options, available, skipped, e);
                continue;
            }
            String reason = skipped.isEmpty() ? "requested" : String.join("; ", skipped);
            LOG.info("scoring model={} version={} execution_provider={} reason=\"{}\"",
                    bundle.manifest().modelId(), bundle.manifest().modelVersion(), chosen.configName(), reason);
            OnnxScorer scorer = new OnnxScorer(bundle.manifest(), env, session, chosen, reason);
            try {
                scorer.checkSignature();
            } catch (OrtException e) {
                scorer.close();
                throw cannotLoad(bundle, e);
            } catch (RuntimeException e) {
                scorer.close();
                throw e;
            }
            return scorer;
        }
    }

    private static InvalidBundleException cannotLoad(ModelBundle bundle, OrtException e) {
        return new InvalidBundleException("ONNX Runtime cannot load " + bundle + ": " + e.getMessage(), e);
    }

    /** The provider to try after {@code failed} would not start, or a clear error when falling back is not allowed. */
    private static ExecutionProvider afterFailedStart(ExecutionProvider failed, ScorerOptions options,
                                                      EnumSet<OrtProvider> available, List<String> skipped,
                                                      OrtException e) {
        String message = String.valueOf(e.getMessage());
        int nl = message.indexOf('\n');
        String why = failed.configName() + ": in this ONNX Runtime build but it did not start ("
                + (nl < 0 ? message : message.substring(0, nl)).trim() + ")";
        if (options.executionProvider() == ExecutionProvider.AUTO) {
            skipped.add(why);
            return failed == ExecutionProvider.CUDA ? autoAfterCuda(available, skipped) : ExecutionProvider.CPU;
        }
        return fallBackToCpu(options, why, skipped);
    }

    /** {@code auto}'s order once CUDA is out: CoreML when the build has it, else CPU. */
    private static ExecutionProvider autoAfterCuda(EnumSet<OrtProvider> available, List<String> skipped) {
        if (available.contains(OrtProvider.CORE_ML)) {
            return ExecutionProvider.COREML;
        }
        skipped.add("coreml: not in this ONNX Runtime build (macOS only)");
        return ExecutionProvider.CPU;
    }

    /** An explicitly requested provider that cannot serve: CPU if fallback is allowed, else a clear error. */
    private static ExecutionProvider fallBackToCpu(ScorerOptions options, String why, List<String> skipped) {
        if (!options.allowFallback()) {
            throw new IllegalStateException("scoring.execution-provider: " + why
                    + "; set scoring.execution-provider.fallback=true to fall back to cpu");
        }
        skipped.add(why + "; falling back to cpu");
        return ExecutionProvider.CPU;
    }

    private static ExecutionProvider choose(ScorerOptions options, EnumSet<OrtProvider> available, List<String> skipped) {
        ExecutionProvider wanted = options.executionProvider();
        boolean cuda = available.contains(OrtProvider.CUDA);
        boolean coreml = available.contains(OrtProvider.CORE_ML);
        switch (wanted) {
            case CPU:
                return ExecutionProvider.CPU;
            case AUTO:
                if (cuda) {
                    return ExecutionProvider.CUDA;
                }
                skipped.add("cuda: not in this ONNX Runtime build (use the cuda Maven profile)");
                return autoAfterCuda(available, skipped);
            case CUDA:
            case COREML:
                boolean present = wanted == ExecutionProvider.CUDA ? cuda : coreml;
                if (present) {
                    return wanted;
                }
                return fallBackToCpu(options, wanted.configName() + " requested but ONNX Runtime offers only "
                        + available, skipped);
            default:
                throw new IllegalArgumentException("unknown execution provider " + wanted);
        }
    }

    private void checkSignature() throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        List<String> problems = new ArrayList<>();
        if (!inputs.containsKey(BundleContract.INPUT) || inputs.size() != 1) {
            problems.add("graph inputs are " + inputs.keySet() + ", expected exactly [" + BundleContract.INPUT + "]");
        } else {
            expectWidth(problems, inputs.get(BundleContract.INPUT), 2, manifest.inputWidth());
        }
        expectOutput(problems, outputs, BundleContract.LATENT, 2, manifest.latentDim());
        expectOutput(problems, outputs, BundleContract.RECONSTRUCTION, 2, manifest.inputWidth());
        expectOutput(problems, outputs, BundleContract.FEATURE_ERROR, 2, manifest.inputWidth());
        expectOutput(problems, outputs, BundleContract.SCORE, 1, -1);
        if (!problems.isEmpty()) {
            throw new InvalidBundleException("model " + manifest.modelId() + "@" + manifest.modelVersion()
                    + " does not match its manifest: " + String.join("; ", problems));
        }
    }

    private static void expectOutput(List<String> problems, Map<String, NodeInfo> outputs, String name, int rank,
                                     long width) {
        NodeInfo info = outputs.get(name);
        if (info == null) {
            problems.add("graph has no output '" + name + "' (outputs: " + outputs.keySet() + ")");
        } else {
            expectWidth(problems, info, rank, width);
        }
    }

    private static void expectWidth(List<String> problems, NodeInfo info, int rank, long width) {
        if (!(info.getInfo() instanceof TensorInfo t)) {
            problems.add("'" + info.getName() + "' is not a tensor");
            return;
        }
        long[] shape = t.getShape();
        if (shape.length != rank) {
            problems.add("'" + info.getName() + "' has rank " + shape.length + ", expected " + rank);
        } else if (width > 0 && shape[rank - 1] != width) {
            problems.add("'" + info.getName() + "' has width " + shape[rank - 1] + ", the manifest says " + width);
        }
    }

    /** Scores rows of raw input values, each {@code manifest().inputWidth()} long. */
    public ScoreBatch score(float[][] rows) {
        int width = manifest.inputWidth();
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, the model takes " + width);
            }
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return scoreFlat(flat, rows.length);
    }

    /** Scores {@code n} rows given as one row-major array. */
    public ScoreBatch scoreFlat(float[] flat, int n) {
        int width = manifest.inputWidth();
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), new long[] {n, width});
             OrtSession.Result result = session.run(Map.of(BundleContract.INPUT, input))) {
            return new ScoreBatch(n, width, manifest.latentDim(),
                    floats(result, BundleContract.LATENT), floats(result, BundleContract.RECONSTRUCTION),
                    floats(result, BundleContract.FEATURE_ERROR), floats(result, BundleContract.SCORE));
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + ": " + e.getMessage(), e);
        }
    }

    private static float[] floats(OrtSession.Result result, String name) {
        OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException("no output " + name));
        FloatBuffer buf = ((OnnxTensor) v).getFloatBuffer();
        float[] out = new float[buf.remaining()];
        buf.get(out);
        return out;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** The provider that is actually serving. */
    public ExecutionProvider executionProvider() {
        return provider;
    }

    /** Why this provider serves (what was skipped and why). */
    public String executionProviderReason() {
        return providerReason;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing ONNX session failed: {}", e.getMessage());
        }
    }
}
