package io.latentwatch.streaming.internals;

import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.core.features.SlidingWindow;
import io.latentwatch.core.scoring.Contribution;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.FeatureContribution;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes, featurises, windows and scores input records; forwards latent codes, alerts and dead letters to the
 * sinks named in the {@link ScoringSpec}.
 *
 * <p><b>One ONNX Runtime session per stream task</b>, opened in {@link #init} and closed in {@link #close}: Kafka
 * Streams creates, migrates and closes processors with their tasks, so the session's life follows the task's
 * exactly, with no sharing, reference counting or cross-thread hand-over. The cost is one session per input
 * partition hosted here; autoencoder graphs are kilobytes, and with one intra-op thread per session the
 * stream threads never oversubscribe the cores.
 *
 * <p><b>Windows</b> (window length W above 1): the last W rows of each entity are kept as a {@link SlidingWindow}
 * in a persistent, changelogged store. Until an entity's window is full nothing is scored and nothing is emitted
 * for it; from the W-th record on, every record is scored and emits one latent code. Windows follow arrival
 * order within a partition, so records of one entity must share a partition (key them by entity).
 *
 * <p><b>Dead letters</b>: a record that cannot be decoded, featurised or scored goes to the dead-letter sink with
 * its original key and value and leaves no trace in the window store.
 */
public final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);

    private final ScoringSpec spec;
    private final ModelManifest manifest;
    private final ObservationDecoder decoder;
    private final FeatureLayout layout;
    private final List<String> elementNames;
    private final int windowLength;
    private final int windowStateBytes;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> windows;
    private OnnxScorer scorer;

    public ScoringProcessor(ScoringSpec spec) {
        this.spec = spec;
        this.manifest = spec.manifest();
        this.decoder = ObservationDecoder.forFormat(spec.inputFormat(), spec.maxRecordBytes());
        this.layout = new FeatureLayout(manifest.featureNames());
        this.elementNames = manifest.elementNames();
        this.windowLength = manifest.windowLength();
        this.windowStateBytes = new SlidingWindow(windowLength, layout.width()).toBytes().length;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        if (spec.windowStore() != null) {
            this.windows = context.getStateStore(spec.windowStore());
        }
        this.scorer = OnnxScorer.open(spec.bundle(), spec.scorerOptions());
        LOG.info("event=scorer_opened task={} model_id={} model_version={} execution_provider={} window_length={}",
                context.taskId(), manifest.modelId(), manifest.modelVersion(),
                scorer.executionProvider().configName(), windowLength);
        spec.metrics().modelServing(manifest.modelId(), manifest.modelVersion(), scorer.executionProvider().configName());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        spec.metrics().recordReceived();
        Pending pending;
        try {
            pending = prepare(record);
        } catch (InvalidRecordException e) {
            deadLetter(record, e.reason(), e.getMessage());
            return;
        }
        if (pending != null) {
            // Batches of one for now; a micro-batcher would collect Pendings here and score them together
            // (chaining the windows of an entity that appears twice in one batch).
            score(List.of(pending));
        }
    }

    /** Validates and featurises one record; null when it only filled its entity's window. */
    private Pending prepare(Record<byte[], byte[]> record) {
        long size = (record.key() == null ? 0L : record.key().length) + (record.value() == null ? 0L : record.value().length);
        if (size > spec.maxRecordBytes()) {
            throw new InvalidRecordException(RejectionReason.TOO_LARGE,
                    "the record has " + size + " bytes (key and value), the limit is " + spec.maxRecordBytes());
        }
        DecodedObservation obs = decoder.decode(record.key(), record.value(), record.timestamp());
        float[] row = obs.features(layout);
        if (windows == null) {
            return new Pending(record, obs, row, null);
        }
        SlidingWindow window = loadWindow(obs.entity());
        window.append(row, obs.timestamp());
        if (!window.isFull()) {
            windows.put(obs.entity(), window.toBytes());
            return null;
        }
        return new Pending(record, obs, window.flatten(), window);
    }

    private SlidingWindow loadWindow(String entity) {
        byte[] state = windows.get(entity);
        if (state != null) {
            try {
                SlidingWindow w = SlidingWindow.fromBytes(state);
                if (w.length() == windowLength && state.length == windowStateBytes) {
                    return w;
                }
            } catch (IllegalArgumentException e) {
                // fall through: start afresh
            }
            // A bundle with another window shape (or a corrupt entry): the old rows mean nothing to this model.
            LOG.warn("event=window_reset entity={} reason=\"stored window does not fit window_length={} features={}\"",
                    entity, windowLength, layout.width());
        }
        return new SlidingWindow(windowLength, layout.width());
    }

    private void score(List<Pending> batch) {
        float[][] rows = new float[batch.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).input();
        }
        ScoreBatch result;
        try {
            long start = System.nanoTime();
            result = scorer.score(rows);
            spec.metrics().batchScored(rows.length, System.nanoTime() - start);
        } catch (RuntimeException e) {
            LOG.warn("event=scoring_failed rows={} error=\"{}\"", rows.length, e.toString());
            for (Pending p : batch) {
                deadLetter(p.record(), RejectionReason.SCORING_FAILED, "scoring failed: " + e);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            double score = result.score(i);
            if (!Double.isFinite(score)) {
                // Values far outside the training range overflow float32; an alert with an infinite score
                // and NaN contributions would explain nothing.
                deadLetter(p.record(), RejectionReason.SCORING_FAILED, "the model produced a non-finite score (" + score
                        + "); the input is probably far outside the range the model was trained on");
                continue;
            }
            if (p.window() != null) {
                windows.put(p.observation().entity(), p.window().toBytes());
            }
            emitLatent(p, result.latent(i), score);
            spec.metrics().recordScored(score, System.currentTimeMillis() - p.record().timestamp());
            if (score >= spec.thresholds().warning()) {
                emitAlert(p, score, result.topContributions(i, p.input(), elementNames, spec.topK()));
            }
        }
    }

    private void emitLatent(Pending p, float[] latent, double score) {
        List<Float> code = new ArrayList<>(latent.length);
        for (float v : latent) {
            code.add(v);
        }
        LatentCode value = LatentCode.newBuilder()
                .setEntity(p.observation().entity())
                .setTimestamp(p.observation().timestamp())
                .setModelId(manifest.modelId())
                .setModelVersion(manifest.modelVersion())
                .setLatent(code)
                .setScore(score)
                .build();
        byte[] bytes;
        try {
            bytes = toBytes(value.toByteBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a LatentCode", e);
        }
        forward(p, bytes, spec.latentsSink());
    }

    private void emitAlert(Pending p, double score, List<Contribution> top) {
        List<FeatureContribution> contributions = new ArrayList<>(top.size());
        for (Contribution c : top) {
            contributions.add(FeatureContribution.newBuilder()
                    .setName(c.name())
                    .setShare(c.share())
                    .setObserved(c.observed())
                    .setReconstructed(c.reconstructed())
                    .build());
        }
        Alert alert = Alert.newBuilder()
                .setEntity(p.observation().entity())
                .setTimestamp(p.observation().timestamp())
                .setScore(score)
                .setWarningThreshold(spec.thresholds().warning())
                .setCriticalThreshold(spec.thresholds().critical())
                .setSeverity(score >= spec.thresholds().critical() ? Severity.CRITICAL : Severity.WARNING)
                .setModelId(manifest.modelId())
                .setModelVersion(manifest.modelVersion())
                .setTopFeatures(contributions)
                .build();
        byte[] bytes;
        try {
            bytes = toBytes(alert.toByteBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode an Alert", e);
        }
        forward(p, bytes, spec.alertsSink());
        spec.metrics().alertEmitted(alert.getSeverity());
    }

    /** Outputs are new facts in our own schemas: they carry none of the input's headers. */
    private void forward(Pending p, byte[] value, String sink) {
        byte[] key = p.observation().entity().getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(key, value, p.record().timestamp(), new RecordHeaders()), sink);
    }

    private void deadLetter(Record<byte[], byte[]> record, RejectionReason reason, String error) {
        spec.metrics().deadLettered(reason);
        RecordMetadata source = context.recordMetadata().orElse(null);
        if (LOG.isDebugEnabled()) {
            LOG.debug("event=dead_letter reason={} topic={} partition={} offset={} error=\"{}\"", reason,
                    source == null ? null : source.topic(), source == null ? -1 : source.partition(),
                    source == null ? -1 : source.offset(), error);
        }
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(),
                DeadLetters.headers(record.headers(), reason, error,
                        source == null ? null : source.topic(),
                        source == null ? -1 : source.partition(),
                        source == null ? -1L : source.offset())),
                spec.deadLetterSink());
    }

    @Override
    public void close() {
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /**
     * A record ready to score.
     *
     * @param input the model input: the row, or the flattened full window
     * @param window the window to store once the record is scored; null without windows
     */
    private record Pending(Record<byte[], byte[]> record, DecodedObservation observation, float[] input,
                           SlidingWindow window) {}
}
