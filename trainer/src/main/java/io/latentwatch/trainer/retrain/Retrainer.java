package io.latentwatch.trainer.retrain;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.registry.ModelRegistry;
import io.latentwatch.core.registry.RegistryDecision;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One champion/challenger round: trains a challenger on recent data with the champion's settings, registers it,
 * compares the two on a held-back slice, and promotes the challenger only when the {@link PromotionPolicy} says so.
 * The decision and its figures go to the registry's log. A run that fails (too little data, a training error) leaves
 * the champion in place and says why in the outcome and the log.
 */
public final class Retrainer {
    private static final Logger LOG = LoggerFactory.getLogger(Retrainer.class);

    private final ModelRegistry registry;
    private final PromotionPolicy policy;
    private final double holdoutFraction;
    private final Path workDir;

    /**
     * @param holdoutFraction the newest share of the recent rows held back for the comparison, in (0, 1)
     * @param workDir where challengers are trained before they are registered
     */
    public Retrainer(ModelRegistry registry, PromotionPolicy policy, double holdoutFraction, Path workDir) {
        if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException("holdoutFraction must lie in (0, 1): " + holdoutFraction);
        }
        this.registry = Objects.requireNonNull(registry, "registry");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.holdoutFraction = holdoutFraction;
        this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /**
     * What a round did.
     *
     * @param decision the decision logged in the registry (PROMOTED or REJECTED)
     * @param challenger the registered challenger; empty when the run failed before one existed
     * @param comparison the figures; empty when the run failed before the comparison
     */
    public record Outcome(RegistryDecision decision, Optional<ModelBundle> challenger, Optional<ModelComparison> comparison) {
        public boolean promoted() {
            return decision.action() == RegistryDecision.Action.PROMOTED;
        }
    }

    /**
     * Runs one round for {@code modelId} on {@code recent}: rows in time order (oldest first), with labels when known.
     *
     * @throws IllegalStateException when the model has no promoted version (there is no champion to compare with)
     */
    public Outcome run(String modelId, TrainingData recent) {
        String championVersion = registry.promoted(modelId).orElseThrow(() -> new IllegalStateException(
                "model " + modelId + " has no promoted version in " + registry.root() + ": promote one first"));
        ModelBundle champion = registry.bundle(modelId, championVersion);
        String version = registry.nextVersion(modelId);
        ModelManifest cm = champion.manifest();
        try {
            if (!recent.featureNames().equals(cm.featureNames()) || recent.windowLength() != cm.windowLength()) {
                throw new IllegalArgumentException("recent data has features " + recent.featureNames() + " x window "
                        + recent.windowLength() + ", the champion takes " + cm.featureNames() + " x window " + cm.windowLength());
            }
            int n = recent.rows().length;
            int holdout = (int) Math.round(n * holdoutFraction);
            if (holdout < 10 || n - holdout < 20) {
                throw new IllegalArgumentException("too little recent data: " + n + " rows (need at least 20 to train and "
                        + "10 to compare, with holdout fraction " + holdoutFraction + ")");
            }
            int[] labels = recent.labels().orElse(null);
            List<float[]> train = new ArrayList<>();
            for (int i = 0; i < n - holdout; i++) {
                if (labels == null || labels[i] == 0) { // anomalies must not be learnt as normal
                    train.add(recent.rows()[i]);
                }
            }
            float[][] held = Arrays.copyOfRange(recent.rows(), n - holdout, n);
            int[] heldLabels = labels == null ? null : Arrays.copyOfRange(labels, n - holdout, n);
            TrainingConfig config = TrainingConfig.fromProvenance(cm.provenance().settings())
                    .withModelId(modelId).withModelVersion(version).withSeed(cm.provenance().seed());
            TrainingData trainData = new TrainingData(recent.source(), recent.dataSha256(), recent.featureNames(),
                    recent.windowLength(), train.toArray(float[][]::new), Optional.empty(), recent.inputShape());
            // a champion that is an ensemble of window lengths gets a challenger of the same windows
            List<Integer> ensembleWindows = AutoencoderTrainer.ensembleWindows(cm.provenance().settings());
            Path challengerDir = workDir.resolve(modelId + "-" + version);
            ModelBundle trained = ensembleWindows.isEmpty()
                    ? AutoencoderTrainer.train(trainData, config, challengerDir).bundle()
                    : AutoencoderTrainer.trainEnsemble(trainData, config, ensembleWindows, challengerDir).bundle();
            ModelBundle challenger = registry.register(trained, "challenger of " + championVersion + " trained on "
                    + trainData.rows().length + " recent rows from " + recent.source());
            ModelComparison comparison = ModelComparison.compare(champion, challenger, held, heldLabels);
            PromotionPolicy.Verdict verdict = policy.judge(comparison);
            Map<String, String> figures = new LinkedHashMap<>(comparison.figures());
            figures.put("champion", championVersion);
            figures.put("trainingRows", Integer.toString(trainData.rows().length));
            RegistryDecision decision = verdict.promote()
                    ? registry.promote(modelId, version, verdict.reason(), figures)
                    : registry.reject(modelId, version, verdict.reason(), figures);
            LOG.info("event=retrain_decided model_id={} champion={} challenger={} action={} reason=\"{}\" figures={}",
                    modelId, championVersion, version, decision.action(), verdict.reason(), figures);
            return new Outcome(decision, Optional.of(challenger), Optional.of(comparison));
        } catch (RuntimeException e) {
            String reason = "retrain failed, champion " + championVersion + " stays: " + e.getMessage();
            LOG.warn("event=retrain_failed model_id={} champion={} error=\"{}\"", modelId, championVersion, e.toString());
            RegistryDecision decision = registry.reject(modelId, version, reason, Map.of("champion", championVersion));
            return new Outcome(decision, Optional.empty(), Optional.empty());
        }
    }
}
