package io.latentwatch.app;

import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.data.CsvTable;
import io.latentwatch.core.data.DataFormatException;
import io.latentwatch.core.data.TimeSeries;
import io.latentwatch.core.files.ScratchDirectory;
import io.latentwatch.core.registry.ModelRegistry;
import io.latentwatch.core.registry.RegistryException;
import io.latentwatch.schemas.ModelEventType;
import io.latentwatch.streaming.InputFormat;
import io.latentwatch.streaming.ModelEvents;
import io.latentwatch.streaming.RecentObservations;
import io.latentwatch.trainer.TrainingData;
import io.latentwatch.trainer.retrain.CronSchedule;
import io.latentwatch.trainer.retrain.PromotionPolicy;
import io.latentwatch.trainer.retrain.Retrainer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** {@code latentwatch retrain}: scheduled champion/challenger retraining against the registry. */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a challenger for the promoted version (the champion) of a model with the champion's settings, "
                + "on recent data: a time range of the input topic (records inside alert episodes left out) or a CSV file. "
                + "The newest --holdout share is held back; both models are compared on it (score distribution shift, alert "
                + "rate at the champion's warning threshold, AUROC where there are labels) and the challenger is promoted "
                + "only when the policy says it is better or equal. The decision and its figures go to the registry; with "
                + "--bootstrap-servers a model event goes to the models topic, and following streaming instances switch.",
                "--every repeats the run on a fixed delay (e.g. 30s, 15m, 6h, 1d or ISO-8601 PT6H), --cron at the times of "
                        + "a five-field cron expression (e.g. \"0 3 * * *\": 03:00 daily, in --zone); --runs bounds the "
                        + "number of runs. A failed run leaves the champion in place and says why.",
                "Exit codes: 0 every run completed (promoted or not), 1 a run failed, 2 bad arguments."})
final class RetrainCommand implements Callable<Integer> {
    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "Registry root directory.")
    Path registry;
    @Option(names = "--model", required = true, paramLabel = "ID", description = "Model id to retrain.")
    String modelId;
    @Option(names = "--every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Run on this fixed delay; without it, run once.")
    Duration every;
    @Option(names = "--cron", paramLabel = "EXPR",
            description = "Run at the times of this cron expression (minute hour day-of-month month day-of-week), "
                    + "instead of --every.")
    String cron;
    @Option(names = "--zone", defaultValue = "UTC", paramLabel = "ZONE",
            description = "Time zone of --cron (default: ${DEFAULT-VALUE}).")
    String zone;
    @Option(names = "--runs", defaultValue = "0",
            description = "Stop after this many runs (0: no limit with --every or --cron).")
    int runs;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--csv", paramLabel = "FILE", description = "Recent data from a CSV file, rows in time order: feature columns for tabular models, timestamp,value (NAB layout) for windowed ones.")
        Path csv;
        @Option(names = "--input-topic", paramLabel = "TOPIC", description = "Recent data from this input topic (tabular models).")
        String inputTopic;
    }

    @Option(names = "--label-column", paramLabel = "NAME", description = "CSV label column (1 = anomaly): enables AUROC.")
    String labelColumn;
    @Option(names = "--lookback", defaultValue = "1d", converter = DurationConverter.class,
            description = "Topic source: records of the last DURATION (default: ${DEFAULT-VALUE}).")
    Duration lookback;
    @Option(names = "--input-format", defaultValue = "JSON", description = "Topic source: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    InputFormat inputFormat;
    @Option(names = "--alerts-topic", defaultValue = "alerts", description = "Topic source: alert episodes to leave out (default: ${DEFAULT-VALUE}).")
    String alertsTopic;
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka: the topic source and model events.")
    String bootstrapServers;
    @Option(names = "--models-topic", defaultValue = "models", description = "Compacted topic of model events (default: ${DEFAULT-VALUE}).")
    String modelsTopic;
    @Option(names = "--holdout", defaultValue = "0.2", description = "Newest share held back for the comparison (default: ${DEFAULT-VALUE}).")
    double holdout;
    @Option(names = "--alert-rate-tolerance", defaultValue = "0",
            description = "Policy: how much higher the challenger's alert rate may be (default: ${DEFAULT-VALUE}).")
    double alertRateTolerance;
    @Option(names = "--auroc-tolerance", defaultValue = "0",
            description = "Policy: how much lower the challenger's AUROC may be (default: ${DEFAULT-VALUE}).")
    double aurocTolerance;
    @Option(names = "--max-score-shift", defaultValue = "1",
            description = "Policy: largest Kolmogorov-Smirnov distance between the score distributions (default: ${DEFAULT-VALUE}: no limit).")
    double maxScoreShift;
    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where challengers are trained, kept (default: a temporary directory, deleted when the command ends).")
    Path workDir;

    private CronSchedule schedule;
    private ZoneId zoneId;

    private static ZoneId zoneId(String zone) {
        try {
            return ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("--zone: '" + zone + "' is not a time zone (e.g. UTC, Europe/Berlin, +02:00)");
        }
    }

    @Override
    public Integer call() throws Exception {
        // challengers are registered (copied) into the registry, so a temporary work dir can go at the end
        try (ScratchDirectory work = ScratchDirectory.keptOrTemporary(workDir, "latentwatch-retrain")) {
            Retrainer retrainer;
            ModelRegistry reg;
            try {
                if (source.inputTopic != null && bootstrapServers == null) {
                    throw new IllegalArgumentException("--input-topic needs --bootstrap-servers");
                }
                if (runs < 0) {
                    throw new IllegalArgumentException("--runs must be at least 0: " + runs);
                }
                if (every != null && cron != null) {
                    throw new IllegalArgumentException("give --every or --cron, not both");
                }
                schedule = cron == null ? null : CronSchedule.parse(cron);
                zoneId = zoneId(zone);
                reg = ModelRegistry.open(registry);
                retrainer = new Retrainer(reg, new PromotionPolicy(alertRateTolerance, aurocTolerance, maxScoreShift), holdout,
                        work.path());
            } catch (IllegalArgumentException | RegistryException e) {
                System.err.println("latentwatch retrain: " + e.getMessage());
                return 2;
            }
            int limit = every == null && schedule == null ? 1 : runs;
            int failed = 0;
            for (int run = 1; limit == 0 || run <= limit; run++) {
                if (schedule != null) {
                    ZonedDateTime at = schedule.next(ZonedDateTime.now(zoneId));
                    System.out.printf(Locale.ROOT, "next_run=%s cron=\"%s\"%n", at, schedule);
                    Thread.sleep(Math.max(0, Duration.between(ZonedDateTime.now(zoneId), at).toMillis()));
                } else if (run > 1) {
                    Thread.sleep(every.toMillis());
                }
                if (!runOnce(reg, retrainer, run)) {
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** One round; false when it failed (the champion stays). */
    private boolean runOnce(ModelRegistry reg, Retrainer retrainer, int run) {
        TrainingData recent;
        try {
            ModelManifest champion = reg.bundle(modelId, reg.promoted(modelId).orElseThrow(() -> new RegistryException(
                    "model " + modelId + " has no promoted version in " + registry + ": promote one first"))).manifest();
            recent = recentData(champion);
        } catch (RuntimeException e) {
            System.err.printf("latentwatch retrain: run %d failed, the champion stays: %s%n", run, e.getMessage());
            return false;
        }
        Retrainer.Outcome outcome = retrainer.run(modelId, recent);
        var d = outcome.decision();
        System.out.printf(Locale.ROOT, "run=%d model=%s challenger=%s action=%s reason=\"%s\" figures=%s%n", run, modelId,
                d.version(), d.action(), d.reason(), d.figures());
        if (bootstrapServers != null && outcome.challenger().isPresent()) {
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrapServers);
            Map<String, String> details = new LinkedHashMap<>(d.figures());
            details.put("reason", d.reason());
            ModelEvents.publish(p, modelsTopic, ModelEvents.of(ModelEventType.TRAINED, outcome.challenger().get(), details));
            if (outcome.promoted()) {
                ModelEvents.publish(p, modelsTopic, ModelEvents.of(ModelEventType.PROMOTED, outcome.challenger().get(), details));
            }
        }
        return outcome.challenger().isPresent();
    }

    private TrainingData recentData(ModelManifest champion) {
        if (source.csv != null && champion.windowLength() > 1) {
            // A windowed model retrains on windows of a series: NAB's layout, timestamp,value in time order.
            try {
                TimeSeries series = TimeSeries.read(source.csv);
                return TrainingData.fromSeries(source.csv.getFileName().toString(), List.of(series),
                        champion.windowLength(), 1.0);
            } catch (DataFormatException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        if (source.csv != null) {
            CsvTable table;
            try {
                table = CsvTable.read(source.csv, labelColumn);
            } catch (DataFormatException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return TrainingData.fromTable(table);
        }
        if (champion.windowLength() != 1) {
            throw new IllegalArgumentException("--input-topic takes tabular models; " + modelId + " has window length "
                    + champion.windowLength() + " (use --csv)");
        }
        long now = System.currentTimeMillis();
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        RecentObservations.Collected c = RecentObservations.read(p, source.inputTopic, inputFormat,
                alertsTopic, champion.featureNames(), now - lookback.toMillis(), now + 1);
        System.err.printf("run data: topic=%s read=%d in_alert_episodes=%d rejected=%d kept=%d%n", source.inputTopic,
                c.read(), c.inEpisodes(), c.rejected(), c.rows().length);
        if (c.rows().length == 0) {
            throw new IllegalArgumentException("no usable records on " + source.inputTopic + " in the last " + lookback);
        }
        return TrainingData.fromRows(source.inputTopic + " last " + lookback, champion.featureNames(), c.rows());
    }

    /** {@code 500ms}, {@code 30s}, {@code 15m}, {@code 6h}, {@code 1d}, or ISO-8601 ({@code PT6H}). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

        @Override
        public Duration convert(String value) {
            Matcher m = SHORT.matcher(value.strip().toLowerCase(Locale.ROOT));
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                try {
                    d = Duration.parse(value.strip());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("'" + value + "' is not a duration: use e.g. 30s, 15m, 6h, 1d or PT6H");
                }
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("'" + value + "' must be a positive duration");
            }
            return d;
        }
    }
}
