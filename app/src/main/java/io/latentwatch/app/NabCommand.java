package io.latentwatch.app;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.data.AnomalyWindows;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.core.evaluation.NabScorer;
import io.latentwatch.core.files.ScratchDirectory;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.ScoreBasis;
import io.latentwatch.streaming.AlertScoring;
import io.latentwatch.streaming.LatentwatchSerdes;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.ScoringMetrics;
import io.latentwatch.streaming.ScoringTopology;
import io.latentwatch.streaming.StreamsSettings;
import io.latentwatch.streaming.internals.ModelSlot;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latentwatch nab}: runs the Numenta Anomaly Benchmark through the production scoring topology.
 *
 * <p>Each series gets its own model, trained only on its probationary part (what a detector has seen by the
 * time NAB starts counting); then every record of the series goes, in order, through
 * {@link ScoringTopology} in a {@link TopologyTestDriver} (the production processor, without a broker, which
 * would only add time). One configuration for all series.
 */
@Command(name = "nab", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the Numenta Anomaly Benchmark through the production scoring topology and scores it "
                + "with NAB's rules (all three profiles).",
                "Writes per-series results in NAB's layout under <out>/latentwatch/<category>/.",
                "Last line: nab_standard=<x> nab_low_fp=<y> nab_low_fn=<z> (NAB's procedure on the results' "
                        + "anomaly_score: one optimised threshold per profile over the corpus).",
                "Exit codes: 0 done, 2 bad arguments or data."})
final class NabCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "NAB data folder (category/series.csv).")
    Path data;
    @Option(names = "--labels", required = true, paramLabel = "FILE", description = "NAB labels/combined_windows.json.")
    Path labels;
    @Option(names = "--profiles", paramLabel = "FILE",
            description = "NAB config/profiles.json (default: ../config/profiles.json next to the labels folder).")
    Path profiles;
    @Option(names = {"-o", "--out"}, defaultValue = "target/nab-results", paramLabel = "DIR",
            description = "Results folder (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--window", defaultValue = "32",
            description = "Window length of a single autoencoder (default: ${DEFAULT-VALUE}); unused with --ensemble-windows.")
    int window;
    @Option(names = EnsembleWindows.OPTION, paramLabel = "W,W...|none", defaultValue = "16,32,64",
            description = EnsembleWindows.DESCRIPTION + " (default: ${DEFAULT-VALUE}; none: one autoencoder of --window).")
    String ensembleWindowsOption;
    private List<Integer> ensembleWindows = List.of();
    @Option(names = "--hidden", split = ",", defaultValue = "32,16", description = "Encoder hidden widths (default: ${DEFAULT-VALUE}).")
    List<Integer> hidden;
    @Option(names = "--latent", defaultValue = "12", description = "Latent width (default: ${DEFAULT-VALUE}).")
    int latent;
    @Option(names = "--epochs", defaultValue = "60", description = "Maximum epochs per series (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of every series' training (initialisation, shuffling, validation split); default: the "
                    + "trainer's. Runs with several seeds show how much of a difference between settings is chance.")
    Long seed;
    @Option(names = "--latent-distance-weight", defaultValue = "1", paramLabel = "X",
            description = "Weight of the code's distance from normal codes in each model's score, as train's option of "
                    + "that name (default: ${DEFAULT-VALUE}; 0: reconstruction error alone).")
    double latentDistanceWeight;
    @Option(names = "--noise", defaultValue = "GAUSSIAN", paramLabel = "KIND",
            description = "Input noise while each model trains, as train's option of that name: ${COMPLETION-CANDIDATES} "
                    + "(default: ${DEFAULT-VALUE}; NONE: plain autoencoders). A denoising autoencoder learns the shape of "
                    + "normal windows rather than their noise.")
    TrainingConfig.Noise.Kind noise;
    @Option(names = "--noise-level", defaultValue = "0.1", paramLabel = "X",
            description = "Standard deviation of GAUSSIAN noise in standardised units, or MASKING's probability (default: "
                    + "${DEFAULT-VALUE}).")
    double noiseLevel;
    private TrainingConfig.Noise trainingNoise = TrainingConfig.Noise.none();
    @Option(names = "--alert-score", defaultValue = "LIKELIHOOD", paramLabel = "BASIS",
            description = "alerts.score of the topology: reconstruction or likelihood (default: ${DEFAULT-VALUE}). "
                    + "anomaly_score is the likelihood's log score, or s / (s + warning) on reconstruction scores.")
    AlertScoring.Basis alertScore;
    @Option(names = "--likelihood-history", defaultValue = "4000",
            description = "alerts.likelihood.history (default: ${DEFAULT-VALUE}).")
    int likelihoodHistory;
    @Option(names = "--likelihood-min-history", defaultValue = "100",
            description = "alerts.likelihood.min-history (default: ${DEFAULT-VALUE}).")
    int likelihoodMinHistory;
    @Option(names = "--likelihood-short-term", defaultValue = "5",
            description = "alerts.likelihood.short-term: latest log scores a record is judged by (default: ${DEFAULT-VALUE}).")
    int likelihoodShortTerm;
    @Option(names = "--likelihood-clip-std", defaultValue = "5",
            description = "alerts.likelihood.clip-std: standard deviations at which one log score's step into the "
                    + "statistics is clipped (default: ${DEFAULT-VALUE}; 0: none).")
    double likelihoodClipStd;
    @Option(names = "--likelihood-daily-slots", defaultValue = "4", paramLabel = "N",
            description = "alerts.likelihood.daily-slots: slots of the day with statistics of their own; a record's log "
                    + "score is the smaller of its series' and its slot's (default: ${DEFAULT-VALUE}; 0: none).")
    int likelihoodDailySlots;
    @Option(names = "--likelihood-warning", defaultValue = "0.78",
            description = "alerts.likelihood.warning: the log score an alert needs (default: ${DEFAULT-VALUE}).")
    double likelihoodWarning;
    @Option(names = "--likelihood-critical", defaultValue = "0.9",
            description = "alerts.likelihood.critical: the log score of a CRITICAL alert; severities only (default: ${DEFAULT-VALUE}).")
    double likelihoodCritical;
    @Option(names = "--range-tolerance", defaultValue = "0.1", paramLabel = "X",
            description = "alerts.range.tolerance: a value outside the range its series has shown, widened by this share "
                    + "of the range on each side, is a CRITICAL anomaly at once (default: ${DEFAULT-VALUE}; 0: no check).")
    double rangeTolerance;
    @Option(names = "--range-daily-slots", defaultValue = "8", paramLabel = "N",
            description = "alerts.range.daily-slots: slots of the day with a range each (default: ${DEFAULT-VALUE}; 0: none).")
    int rangeDailySlots;
    @Option(names = "--range-daily-tolerance", defaultValue = "1.0", paramLabel = "X",
            description = "alerts.range.daily-tolerance: share of a slot's range added on each side (default: ${DEFAULT-VALUE}).")
    double rangeDailyTolerance;
    @Option(names = "--range-level-records", defaultValue = "24", paramLabel = "N",
            description = "alerts.range.level-records: values whose mean is a level with a range of its own (default: "
                    + "${DEFAULT-VALUE}; 0: none).")
    int rangeLevelRecords;
    @Option(names = "--range-level-tolerance", defaultValue = "0.1", paramLabel = "X",
            description = "alerts.range.level-tolerance: share of the levels' range added on each side (default: "
                    + "${DEFAULT-VALUE}).")
    double rangeLevelTolerance;
    @Option(names = "--cooldown", defaultValue = "PT9H", paramLabel = "DURATION",
            description = "alerts.episode.cooldown-ms of the topology, as an ISO-8601 duration (default: ${DEFAULT-VALUE}): "
                    + "anomalous records this soon after an episode's last one continue it instead of opening another.")
    java.time.Duration cooldown;
    @Option(names = "--anomaly-score", defaultValue = "ONSET", paramLabel = "KIND",
            description = "What the results' anomaly_score is: onset, the score of the alert an episode OPENs with at its "
                    + "first record and 0 elsewhere (what the service pages for, with its confidence); continuous, every "
                    + "record's own score (default: ${DEFAULT-VALUE}). Both are scored and printed.")
    AnomalyScoreKind anomalyScoreKind;
    @Option(names = "--retrain-every", defaultValue = "0", paramLabel = "FRACTION",
            description = "Online learning, as NAB allows: each time this fraction of a series has streamed past, retrain its "
                    + "model on every record seen so far and hot-swap it into the running topology (0: train once, on the "
                    + "probationary part; default: ${DEFAULT-VALUE}).")
    double retrainEvery;
    @Option(names = "--series", paramLabel = "NAME", split = ",",
            description = "Only these series (file names without .csv); default all.")
    List<String> only;

    /** What the anomaly_score of the results is. */
    enum AnomalyScoreKind { ONSET, CONTINUOUS }

    @Override
    public Integer call() throws Exception {
        Path profilesFile = profiles != null ? profiles : labels.toAbsolutePath().getParent().resolveSibling("config/profiles.json");
        if (!Files.isDirectory(data) || !Files.isRegularFile(labels) || !Files.isRegularFile(profilesFile)) {
            System.err.println("latentwatch nab: need --data DIR, --labels FILE and " + profilesFile);
            return 2;
        }
        if (likelihoodWarning > likelihoodCritical) {
            System.err.println("latentwatch nab: --likelihood-warning (" + likelihoodWarning
                    + ") must not be above --likelihood-critical (" + likelihoodCritical + ")");
            return 2;
        }
        try {
            ensembleWindows = EnsembleWindows.parse(ensembleWindowsOption);
        } catch (IllegalArgumentException e) {
            System.err.println("latentwatch nab: " + e.getMessage());
            return 2;
        }
        try {
            trainingNoise = noise == TrainingConfig.Noise.Kind.NONE ? TrainingConfig.Noise.none()
                    : new TrainingConfig.Noise(noise, noiseLevel);
        } catch (IllegalArgumentException e) {
            System.err.println("latentwatch nab: --noise-level: " + e.getMessage());
            return 2;
        }
        if (!(retrainEvery >= 0 && retrainEvery < 1)) {
            System.err.println("latentwatch nab: --retrain-every must lie in [0, 1), got " + retrainEvery);
            return 2;
        }
        AnomalyWindows windows;
        try (InputStream in = Files.newInputStream(labels)) {
            windows = AnomalyWindows.read(in, labels.toString());
        }
        Map<String, NabScorer.CostMatrix> costs = NabScorer.readProfiles(profilesFile);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(p -> p.toString().endsWith(".csv")).sorted()
                    .filter(p -> only == null || only.contains(p.getFileName().toString().replace(".csv", ""))).toList();
        }
        List<NabScorer.Series> scored = new ArrayList<>();
        List<NabScorer.Series> alerted = new ArrayList<>();
        List<NabScorer.Series> other = new ArrayList<>();
        Map<String, List<Integer>> byCategory = new LinkedHashMap<>();
        long start = System.nanoTime();
        // every series' bundles and state stores; only the results under --out are kept
        try (ScratchDirectory work = ScratchDirectory.temporary("latentwatch-nab-")) {
            for (Path file : files) {
                String category = file.getParent().getFileName().toString();
                String name = file.getFileName().toString().replace(".csv", "");
                TimeSeries series = TimeSeries.read(file);
                List<AnomalyWindows.Window> ws = windows.forSeries(category + "/" + name + ".csv");
                SeriesRun run = runSeries(series, name, work.path().resolve(name));
                boolean onset = anomalyScoreKind == AnomalyScoreKind.ONSET;
                double[] chosen = onset ? run.onsetScore() : run.continuousScore();
                scored.add(new NabScorer.Series(category + "/" + name, series.timestamps(), chosen, ws));
                other.add(new NabScorer.Series(category + "/" + name, series.timestamps(),
                        onset ? run.continuousScore() : run.onsetScore(), ws));
                alerted.add(new NabScorer.Series(category + "/" + name, series.timestamps(), run.alerted(), ws));
                byCategory.computeIfAbsent(category, c -> new ArrayList<>()).add(scored.size() - 1);
                writeResults(category, name, series, chosen, ws);
                System.err.printf(Locale.ROOT, "%-55s records=%6d trained_on=%4d alerts=%5d model_versions=%s%n",
                        category + "/" + name, series.size(), run.trainedOn(), (long) java.util.Arrays.stream(run.alerted()).sum(),
                        String.join(",", run.modelVersions()));
            }
        }
        System.out.printf(Locale.ROOT, "%d series in %.0f s; results in %s%n", files.size(),
                (System.nanoTime() - start) / 1e9, out.resolve("latentwatch"));
        Map<String, Double> official = new LinkedHashMap<>();
        for (Map.Entry<String, NabScorer.CostMatrix> p : costs.entrySet()) {
            NabScorer.ThresholdScore best = NabScorer.optimise(scored, p.getValue());
            NabScorer.Score asAlerted = NabScorer.score(alerted, 0.5, p.getValue());
            NabScorer.ThresholdScore otherBest = NabScorer.optimise(other, p.getValue());
            official.put(p.getKey(), best.score().normalised());
            System.out.printf(Locale.ROOT, "profile=%s official=%.1f (anomaly_score %s, threshold %.4f, tp=%d fp=%d fn=%d) "
                            + "alerts=%.1f (tp=%d fp=%d fn=%d) official_with_%s_scores=%.1f (threshold %.4f)%n", p.getKey(),
                    best.score().normalised(), kindName(anomalyScoreKind), best.threshold(), best.score().tp(),
                    best.score().fp(), best.score().fn(), asAlerted.normalised(), asAlerted.tp(), asAlerted.fp(),
                    asAlerted.fn(), kindName(otherKind()), otherBest.score().normalised(), otherBest.threshold());
            if (p.getKey().equals("standard")) {
                for (Map.Entry<String, List<Integer>> c : byCategory.entrySet()) {
                    List<NabScorer.Series> subset = c.getValue().stream().map(scored::get).toList();
                    NabScorer.Score s = NabScorer.score(subset, best.threshold(), p.getValue());
                    NabScorer.Score a = NabScorer.score(c.getValue().stream().map(alerted::get).toList(), 0.5,
                            p.getValue());
                    System.out.printf(Locale.ROOT, "  category=%s official=%.1f (tp=%d fp=%d fn=%d) alerts=%.1f "
                                    + "(tp=%d fp=%d fn=%d)%n", c.getKey(), s.normalised(), s.tp(), s.fp(), s.fn(),
                            a.normalised(), a.tp(), a.fp(), a.fn());
                }
            }
        }
        System.out.printf(Locale.ROOT, "nab_standard=%.1f nab_low_fp=%.1f nab_low_fn=%.1f%n",
                official.getOrDefault("standard", Double.NaN), official.getOrDefault("reward_low_FP_rate", Double.NaN),
                official.getOrDefault("reward_low_FN_rate", Double.NaN));
        return 0;
    }

    private static String kindName(AnomalyScoreKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private AnomalyScoreKind otherKind() {
        return anomalyScoreKind == AnomalyScoreKind.ONSET ? AnomalyScoreKind.CONTINUOUS : AnomalyScoreKind.ONSET;
    }

    /**
     * Scores of one series, each in [0, 1]: every record's own ({@code continuousScore}); the score of the alert an
     * episode opened with, at its first record, 0 elsewhere ({@code onsetScore}); 1 at those records ({@code alerted}).
     */
    private record SeriesRun(double[] continuousScore, double[] onsetScore, double[] alerted, int trainedOn,
                             List<String> modelVersions) {}

    /** The model's window: the ensemble's longest, or the single autoencoder's. */
    private int modelWindow() {
        return ensembleWindows.isEmpty() ? window : EnsembleWindows.longest(ensembleWindows);
    }

    private ModelBundle train(TrainingData data, TrainingConfig config, Path bundleDir) {
        return ensembleWindows.isEmpty() ? AutoencoderTrainer.train(data, config, bundleDir).bundle()
                : AutoencoderTrainer.trainEnsemble(data, config, ensembleWindows, bundleDir).bundle();
    }

    private SeriesRun runSeries(TimeSeries series, String name, Path dir) throws IOException {
        int probation = NabScorer.probationaryLength(series.size());
        TrainingData data = TrainingData.fromSeries(name, List.of(series), modelWindow(), probation / (double) series.size());
        TrainingConfig config = TrainingConfig.defaults().withModelId("nab-" + name).withHiddenLayers(hidden)
                .withLatentDim(latent).withEpochs(epochs).withPatience(8).withLatentDistanceWeight(latentDistanceWeight);
        if (seed != null) {
            config = config.withSeed(seed);
        }
        if (trainingNoise.kind() != TrainingConfig.Noise.Kind.NONE) {
            config = config.withVariant(TrainingConfig.Variant.DENOISING).withNoise(trainingNoise);
        }
        ModelBundle bundle = train(data, config, dir.resolve("bundle"));

        Map<String, Object> props = new HashMap<>();
        props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "nab");
        props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
        props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(LatentwatchStreamsConfig.ALERT_SCORE_CONFIG, alertScore.configName());
        props.put(LatentwatchStreamsConfig.EPISODE_COOLDOWN_MS_CONFIG, cooldown.toMillis());
        props.put(LatentwatchStreamsConfig.LIKELIHOOD_HISTORY_CONFIG, likelihoodHistory);
        props.put(LatentwatchStreamsConfig.LIKELIHOOD_MIN_HISTORY_CONFIG, likelihoodMinHistory);
        props.put(LatentwatchStreamsConfig.LIKELIHOOD_SHORT_TERM_CONFIG, likelihoodShortTerm);
        props.put(LatentwatchStreamsConfig.LIKELIHOOD_CLIP_STD_CONFIG, likelihoodClipStd);
        props.put(LatentwatchStreamsConfig.LIKELIHOOD_DAILY_SLOTS_CONFIG, likelihoodDailySlots);
        props.put(LatentwatchStreamsConfig.LIKELIHOOD_WARNING_CONFIG, likelihoodWarning);
        props.put(LatentwatchStreamsConfig.LIKELIHOOD_CRITICAL_CONFIG, likelihoodCritical);
        props.put(LatentwatchStreamsConfig.RANGE_TOLERANCE_CONFIG, rangeTolerance);
        props.put(LatentwatchStreamsConfig.RANGE_DAILY_SLOTS_CONFIG, rangeDailySlots);
        props.put(LatentwatchStreamsConfig.RANGE_DAILY_TOLERANCE_CONFIG, rangeDailyTolerance);
        props.put(LatentwatchStreamsConfig.RANGE_LEVEL_RECORDS_CONFIG, rangeLevelRecords);
        props.put(LatentwatchStreamsConfig.RANGE_LEVEL_TOLERANCE_CONFIG, rangeLevelTolerance);
        StreamsSettings settings = LatentwatchStreamsConfig.fromMap(props).toSettings();
        double warning = bundle.manifest().thresholds().warning();
        double[] anomalyScore = new double[series.size()];
        double[] alerted = new double[series.size()];
        double[] openScore = new double[series.size()];
        Map<Long, Integer> rowOf = new HashMap<>();
        for (int i = 0; i < series.size(); i++) {
            rowOf.put(series.timestamps()[i], i);
        }
        ModelSlot slot = new ModelSlot(bundle, bundle.manifest().thresholds());
        int retrainStep = retrainEvery > 0 ? Math.max(modelWindow(), (int) Math.round(series.size() * retrainEvery)) : 0;
        int nextRetrain = retrainStep > 0 ? probation + retrainStep : Integer.MAX_VALUE;
        int version = 1;
        Set<String> modelVersions = new LinkedHashSet<>(); // in the order they scored
        try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(settings, bundle,
                ScoringMetrics.NOOP, slot),
                settings.toStreamsProperties(), Instant.ofEpochMilli(series.timestamps()[0]))) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(settings.inputTopic(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> latents = driver.createOutputTopic(settings.latentsTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> alerts = driver.createOutputTopic(settings.alertsTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            byte[] key = name.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < series.size(); i++) {
                if (i == nextRetrain) {
                    // every record before i has been scored: train on them, swap in at the next micro-batch
                    TrainingData seen = TrainingData.fromSeries(name, List.of(series), modelWindow(),
                            i / (double) series.size());
                    // a new version, as a scheduled retrain registers one: its likelihood statistics start afresh
                    ModelBundle next = train(seen, config.withModelVersion(Integer.toString(++version)),
                            dir.resolve("bundle-" + version));
                    slot.offer(next, next.manifest().thresholds());
                    nextRetrain += retrainStep;
                }
                long ts = series.timestamps()[i];
                String json = String.format(Locale.ROOT, "{\"entity\":\"%s\",\"timestamp\":%d,\"values\":[%s]}",
                        name, ts, Float.toString(series.values()[i]));
                in.pipeInput(new TestRecord<>(key, json.getBytes(StandardCharsets.UTF_8), null, ts));
                driver.advanceWallClockTime(java.time.Duration.ofMillis(10)); // lets time-based flushes run
                for (TestRecord<byte[], byte[]> r : latents.readRecordsToList()) {
                    LatentCode code = LatentCode.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    modelVersions.add(code.getModelVersion());
                    double s = code.getScore();
                    // On reconstruction scores, one corpus-wide threshold on s / (s + warning) is one multiple of
                    // each series' own calibrated warning threshold.
                    anomalyScore[rowOf.get(code.getTimestamp())] = code.getLikelihood() != null ? code.getLikelihood()
                            : s + warning > 0 ? s / (s + warning) : 0;
                }
                for (TestRecord<byte[], byte[]> r : alerts.readRecordsToList()) {
                    // An episode's OPEN marks its first alerted record; UPDATE and CLOSE are not onsets.
                    Alert alert = LatentwatchSerdes.decodeAlert(r.value());
                    if (alert.getEvent() == AlertEvent.OPEN) {
                        int row = rowOf.get(r.timestamp());
                        alerted[row] = 1;
                        double s = alert.getScore();
                        openScore[row] = alert.getScoreBasis() == ScoreBasis.LIKELIHOOD ? s
                                : s + warning > 0 ? s / (s + warning) : 0;
                    }
                }
            }
        }
        // What an operator is paged for: the onset of a run of alerts, not every record in it.
        double[] onsets = new double[alerted.length];
        double[] onsetScore = new double[alerted.length];
        for (int i = 0; i < alerted.length; i++) {
            onsets[i] = alerted[i] > 0 && (i == 0 || alerted[i - 1] == 0) ? 1 : 0;
            onsetScore[i] = onsets[i] * openScore[i];
        }
        return new SeriesRun(anomalyScore, onsetScore, onsets, data.rows().length, List.copyOf(modelVersions));
    }

    private void writeResults(String category, String name, TimeSeries series, double[] anomalyScore,
                              List<AnomalyWindows.Window> ws) throws IOException {
        Path dir = Files.createDirectories(out.resolve("latentwatch").resolve(category));
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("latentwatch_" + name + ".csv"))) {
            w.write("timestamp,value,anomaly_score,label\n");
            for (int i = 0; i < series.size(); i++) {
                long t = series.timestamps()[i];
                boolean inWindow = ws.stream().anyMatch(x -> x.contains(t));
                w.write(TimeSeries.formatTimestamp(t) + "," + series.values()[i] + ","
                        + String.format(Locale.ROOT, "%.6f", anomalyScore[i]) + "," + (inWindow ? 1 : 0) + "\n");
            }
        }
    }
}
