package io.latentwatch.streaming.internals;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.core.features.SlidingWindow;
import io.latentwatch.core.features.SlidingWindow.Placement;
import io.latentwatch.core.scoring.AnomalyLikelihood;
import io.latentwatch.core.scoring.Contribution;
import io.latentwatch.core.scoring.DailyLikelihood;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ValueRange;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.FeatureContribution;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.ScoreBasis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes, featurises, windows and scores input records in micro-batches; forwards latent codes, alerts and dead
 * letters to the sinks named in the {@link ScoringSpec}.
 *
 * <p><b>Micro-batches.</b> ONNX Runtime scores a batch of a few hundred rows several times faster per row than
 * single rows, so records wait in a buffer, as they came in, until {@code scoring.batch.max-records} are pending
 * or the oldest has waited {@code scoring.batch.max-wait-ms} (a wall-clock punctuator), and are then decoded and
 * scored together. Outputs are forwarded in input order, each with its input record's timestamp; records of one
 * partition (so of one key) keep their order. A record that cannot be decoded is dead-lettered when its batch
 * is emitted (one too large at once), so order is kept within each output topic, not across them.
 *
 * <p><b>Scoring threads</b> ({@code scoring.batch.pipeline}): a full batch is handed to {@link ScoringThreads},
 * whose threads decode it and, for a tabular model, score it and encode its latent codes, touching no state store
 * and no processor context. The stream thread meanwhile takes in the next records and emits earlier batches: it
 * windows, decides episodes, updates likelihoods and forwards, one batch after the other, so state sees records
 * in order exactly as without the thread. Up to {@value #MAX_BATCHES_IN_FLIGHT} batches may be in flight.
 *
 * <p><b>Why pending records are changelogged.</b> Kafka Streams commits the input offset of every record
 * {@link #process} has returned from. A record held only in memory at a commit would be lost by a crash: its
 * offset committed, its outputs never produced. So the pending list is tracked by a {@link PendingBatchStore},
 * which writes it to its changelog at each commit, before the offsets are committed and in the same transaction
 * under exactly-once: one snapshot of the records pending at that moment (batches in flight included) per commit,
 * nothing per record. A task that starts (after a crash, a rebalance or a restart) finds the restored snapshot in
 * the store and scores those records first, before any new record. Pending records are not flushed in
 * {@link #close}: Kafka Streams commits a task before closing its processors, so anything forwarded there would
 * fall outside the committed transaction; the records stay in the changelog for the task's next owner. With
 * {@code scoring.batch.max-records=1} every record is scored as it arrives and no store is used.
 *
 * <p><b>One ONNX Runtime session per stream task</b>, opened in {@link #init} and closed in {@link #close}: Kafka
 * Streams creates, migrates and closes processors with their tasks, so the session's life follows the task's
 * exactly, with no sharing, reference counting or cross-thread hand-over. The cost is one session per input
 * partition hosted here; autoencoder graphs are kilobytes, and with one intra-op thread per session the
 * stream threads never oversubscribe the cores.
 *
 * <p><b>Hot swap.</b> When the spec has a {@link ModelSlot}, the task checks it at the start of every micro-batch; when
 * the {@link ModelFollower} has put a newer verified bundle there, the task opens a session for it, closes the old one
 * and scores the batch with the new model. Each record is therefore scored once, by the model serving at its batch,
 * and each task (one input partition) switches at one point; every latent code and alert carries the version that
 * scored it. The input layout (features, window) cannot change, so windows and episodes carry over; the new bundle's
 * thresholds apply from the switch on.
 *
 * <p><b>Windows</b> (window length W above 1): the last W rows of each entity are kept as a {@link SlidingWindow}
 * in a persistent, changelogged store, updated when a record's micro-batch is scored. Until an entity's window is
 * full nothing is scored and nothing is emitted for it; from the W-th record on, every record is scored and emits
 * one latent code. Rows are placed by event time under the {@link io.latentwatch.core.features.WindowPolicy}: a
 * record up to {@code windows.grace-ms} older than its entity's newest is inserted in order (it is scored on the
 * entity's newest window, which now holds it, and later records see the corrected order; outputs already emitted
 * stay as they were); an older one is dead-lettered as LATE_RECORD; a gap longer than {@code windows.max-gap-ms}
 * resets or imputes the window. Records of one entity must share a partition (key them by entity). An entity seen
 * several times in one micro-batch gets its windows chained.
 *
 * <p><b>Alert episodes</b>: instead of one alert per anomalous record, each entity's run of anomalous records is
 * one episode ({@link EpisodeTracker}) whose OPEN, UPDATE and CLOSE events go to the alerts sink. The running
 * episode of each entity lives in a persistent, changelogged store, updated when the record's micro-batch is scored,
 * in the same task (so the same transaction) as the alerts and the input offsets: a crash replays both or neither.
 *
 * <p><b>Alerts on the likelihood</b> ({@code alerts.score=likelihood}): each entity's reconstruction scores feed its
 * {@link AnomalyLikelihood} statistics, kept in a persistent, changelogged store and updated with the episodes; the
 * log score goes into the latent code and episodes are decided on it against the likelihood thresholds. With
 * {@code alerts.likelihood.daily-slots} each slot of the day has statistics too ({@link DailyLikelihood}, a store of
 * its own) and the log score is the smaller of the entity's and the slot's.
 *
 * <p><b>Values outside their range</b> ({@code alerts.range.tolerance} above 0): each entity's smallest and largest
 * value of each feature ({@link ValueRange}) live in a persistent, changelogged store, updated with the episodes. A
 * scored record with a value outside its entity's range (widened by the tolerance) is anomalous and CRITICAL
 * whatever its score; on the likelihood basis its alert score is 1, the top of the log-score scale, as HTM scores a
 * value it has never seen. With {@code alerts.range.daily-slots} each slot of the day has a range too, with
 * {@code alerts.range.level-records} each feature's recent mean. Ranges are of raw values, so they survive a model
 * swap.
 *
 * <p><b>Dead letters</b>: a record that cannot be decoded, featurised or scored goes to the dead-letter sink with
 * its original key, value and headers and leaves no trace in the window store (when a row scores non-finite, the
 * rest of its micro-batch is scored again without it).
 */
public final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);
    /** Running episodes remembered per task (bounded): the store is read once per entity, not once per record. */
    static final int EPISODE_CACHE_ENTRIES = 10_000;
    /**
     * Full batches of a task handed to the scoring threads and not yet emitted, at most. Kafka Streams hands a
     * stream thread's tasks their records in runs, so the scoring threads work through several batches of one task
     * while the stream thread goes on; with room for only one or two it waited for them a third of the time.
     */
    static final int MAX_BATCHES_IN_FLIGHT = 8;

    private final ScoringSpec spec;
    /** The manifest of the model serving now (changes on a hot swap; its input layout never does). */
    private ModelManifest manifest;
    private final ObservationDecoder decoder;
    private final FeatureLayout layout;
    private final List<String> elementNames;
    private final int windowLength;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> windows;
    private PendingBatchStore pendingStore;
    private KeyValueStore<String, byte[]> episodeStore;
    /**
     * Recently used entries of the episode store, an absent episode as {@link Optional#empty()}: most records belong
     * to no episode, and asking the store for a missing key reads RocksDB every time. Only this task writes its
     * store, and every write goes through here as well, so the cache cannot be stale.
     */
    private final Map<String, Optional<EpisodeState>> episodeCache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<EpisodeState>> eldest) {
            return size() > EPISODE_CACHE_ENTRIES;
        }
    };
    private KeyValueStore<String, byte[]> likelihoodStore;
    private KeyValueStore<String, byte[]> dailyLikelihoodStore;
    private KeyValueStore<String, byte[]> rangeStore;
    private EpisodeTracker episodes;
    /** Thresholds episodes are decided on: the serving model's, or the likelihood's (alerts.score). */
    private Thresholds alertThresholds;
    private OnnxScorer scorer;
    /** Generation of the {@link ModelSlot} entry this task serves (or refused); -1 before init. */
    private long servingGeneration = -1;
    /** Records not yet emitted, in arrival order; the first {@link #submittedRecords} are in batches in flight. */
    private final List<PendingRecord> buffer = new ArrayList<>();
    /** Prepares full micro-batches while the stream thread goes on ({@link ScoringThreads}); null when not pipelined. */
    private ExecutorService scoringThreads;
    /** The task's batches handed to the scoring threads and not yet emitted, oldest first. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private int submittedRecords;
    /** Arrival of the oldest record not yet in a micro-batch. */
    private long oldestArrivalMillis;
    /** Newest event time this task has scored (since it started here); idle episodes are judged against it. */
    private long newestEventTime = Long.MIN_VALUE;
    private boolean pendingRestored;

    public ScoringProcessor(ScoringSpec spec) {
        this.spec = spec;
        this.manifest = spec.manifest();
        this.decoder = ObservationDecoder.forFormat(spec.inputFormat(), spec.maxRecordBytes());
        this.layout = new FeatureLayout(manifest.featureNames());
        this.elementNames = manifest.elementNames();
        this.windowLength = manifest.windowLength();
        this.alertThresholds = spec.alertThresholds(spec.thresholds());
        this.episodes = new EpisodeTracker(alertThresholds, spec.episodePolicy());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        // Kafka Streams re-initialises this same instance when it revives a corrupted task (closed dirty, stores
        // wiped and restored): records left in memory are stale, the restored pending store is the truth.
        discardInFlight();
        buffer.clear();
        episodeCache.clear();
        pendingRestored = false;
        if (spec.windowStore() != null) {
            this.windows = context.getStateStore(spec.windowStore());
        }
        if (spec.episodeStore() != null) {
            this.episodeStore = context.getStateStore(spec.episodeStore());
        }
        if (spec.likelihoodStore() != null) {
            this.likelihoodStore = context.getStateStore(spec.likelihoodStore());
        }
        if (spec.dailyLikelihoodStore() != null) {
            this.dailyLikelihoodStore = context.getStateStore(spec.dailyLikelihoodStore());
        }
        if (spec.rangeStore() != null) {
            this.rangeStore = context.getStateStore(spec.rangeStore());
        }
        long idleClose = spec.episodePolicy().idleCloseMillis();
        if (episodeStore != null && idleClose > 0) {
            context.schedule(Duration.ofMillis(Math.max(1, Math.min(idleClose / 2, 60_000))), PunctuationType.STREAM_TIME,
                    streamTime -> closeIdleEpisodes());
        }
        if (spec.pendingStore() != null) {
            this.pendingStore = context.getStateStore(spec.pendingStore());
            pendingStore.track(buffer);
            // Ticks at half the wait, flushing records at least that old: none waits longer than the wait.
            long tick = Math.max(1, spec.batchMaxWaitMs() / 2);
            context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, now -> onTick(now, tick));
            if (spec.batchPipeline()) {
                scoringThreads = ScoringThreads.pool();
            }
        }
        ModelBundle opening = spec.bundle();
        ModelSlot.Serving serving = spec.modelSlot() == null ? null : spec.modelSlot().current();
        if (serving != null && serving.generation() > 0) {
            // A task created after a swap starts with the model serving now.
            serve(serving);
            opening = serving.bundle();
        }
        servingGeneration = serving == null ? 0 : serving.generation();
        this.scorer = OnnxScorer.open(opening, spec.scorerOptions());
        LOG.info("event=scorer_opened task={} model_id={} model_version={} execution_provider={} window_length={} "
                        + "batch_max_records={} batch_max_wait_ms={}",
                context.taskId(), manifest.modelId(), manifest.modelVersion(),
                scorer.executionProvider().configName(), windowLength, spec.batchMaxRecords(), spec.batchMaxWaitMs());
        reportServing();
    }

    /**
     * Loads the records a previous owner of this task left pending, before the first record or punctuation is
     * handled, so they are scored before anything newer.
     */
    private void restorePendingOnce() {
        if (pendingStore == null || pendingRestored) {
            return;
        }
        pendingRestored = true;
        List<PendingRecord> restored = pendingStore.restored();
        buffer.addAll(restored);
        int n = restored.size();
        oldestArrivalMillis = context.currentSystemTimeMs();
        if (n > 0) {
            LOG.info("event=pending_restored task={} records={}", context.taskId(), n);
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        spec.metrics().recordReceived();
        RecordMetadata source = context.recordMetadata().orElse(null);
        PendingRecord pending = new PendingRecord(record.key(), record.value(), record.headers(), record.timestamp(),
                source == null ? null : source.topic(), source == null ? -1 : source.partition(),
                source == null ? -1L : source.offset());
        if (pending.size() > spec.maxRecordBytes()) {
            deadLetter(pending, RejectionReason.TOO_LARGE, "the record has " + pending.size()
                    + " bytes (key and value), the limit is " + spec.maxRecordBytes());
            return;
        }
        restorePendingOnce();
        while (!inFlight.isEmpty() && inFlight.peekFirst().prepared().isDone()) {
            emit(inFlight.removeFirst());
        }
        if (buffer.size() == submittedRecords) {
            oldestArrivalMillis = context.currentSystemTimeMs();
        }
        buffer.add(pending);
        if (pendingStore != null) {
            pendingStore.markChanged();
        }
        if (buffer.size() - submittedRecords >= spec.batchMaxRecords()) {
            flush("size");
        }
    }

    /** Decodes and featurises a batch; a record that cannot be gets its rejection instead. Touches no state. */
    private DecodedBatch decode(List<PendingRecord> batch) {
        DecodedRecord[] records = new DecodedRecord[batch.size()];
        Rejection[] rejected = new Rejection[batch.size()];
        for (int k = 0; k < records.length; k++) {
            PendingRecord p = batch.get(k);
            try {
                DecodedObservation obs = decoder.decode(p.key(), p.value(), p.recordTimestamp());
                records[k] = new DecodedRecord(p, obs.entity(), obs.timestamp(), obs.features(layout));
            } catch (InvalidRecordException e) {
                rejected[k] = new Rejection(e.reason(), e.getMessage());
            } catch (RuntimeException e) {
                // A bug, not bad input; only this record goes, as when the processing exception handler catches one.
                LOG.error("event=decoding_failed topic={} partition={} offset={} action=dead_letter error=\"{}\"",
                        p.sourceTopic(), p.sourcePartition(), p.sourceOffset(), e.toString(), e);
                rejected[k] = new Rejection(RejectionReason.SCORING_FAILED, "decoding failed: " + e);
            }
        }
        return new DecodedBatch(batch, records, rejected);
    }

    private SlidingWindow loadWindow(String entity) {
        byte[] state = windows.get(entity);
        if (state != null) {
            try {
                SlidingWindow w = SlidingWindow.fromBytes(state);
                if (w.length() == windowLength && w.features() == layout.width()) {
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

    private void serve(ModelSlot.Serving serving) {
        manifest = serving.bundle().manifest();
        alertThresholds = spec.alertThresholds(serving.thresholds());
        episodes = new EpisodeTracker(alertThresholds, spec.episodePolicy());
    }

    /** Tells the metrics which model and thresholds this task serves (on open and after every swap). */
    private void reportServing() {
        spec.metrics().modelServing(manifest.modelId(), manifest.modelVersion(), scorer.executionProvider().configName());
        spec.metrics().thresholdsInForce(alertThresholds.warning(), alertThresholds.critical());
    }

    /**
     * Between two micro-batches, moves this task to the model the slot holds when it changed: a new session is opened
     * (the follower already verified and warmed the bundle up) and only then replaces the old one, so every record of
     * a micro-batch is scored by one model and the switch happens once, at a batch boundary. When the session cannot
     * be opened here the old model keeps serving.
     */
    private void maybeSwap() {
        if (!newModelWaiting()) {
            return;
        }
        ModelSlot.Serving serving = spec.modelSlot().current();
        servingGeneration = serving.generation();
        ModelManifest next = serving.bundle().manifest();
        OnnxScorer opened;
        try {
            opened = OnnxScorer.open(serving.bundle(), spec.scorerOptions());
        } catch (RuntimeException e) {
            LOG.error("event=model_refused task={} model_id={} version={} reason=open serving_version={} error=\"{}\"",
                    context.taskId(), next.modelId(), next.modelVersion(), manifest.modelVersion(), e.toString());
            spec.metrics().modelRefused(next.modelId(), next.modelVersion(), "open");
            return;
        }
        String from = manifest.modelVersion();
        OnnxScorer old = scorer;
        scorer = opened;
        serve(serving);
        old.close();
        LOG.info("event=model_swapped task={} model_id={} from_version={} to_version={} sha256={}", context.taskId(),
                manifest.modelId(), from, manifest.modelVersion(), manifest.onnxSha256());
        reportServing();
    }

    /**
     * Scores every pending record and forwards the outputs in input order. A full batch ({@code trigger} "size") is
     * handed to the scoring threads, which decode it and, for a tabular model, score it and encode its latent
     * codes; meanwhile this thread emits the batch before it and takes in the next one. A batch in flight is
     * emitted once it is done (checked with every record), at the next full batch, or at the next flush of any
     * other kind, which does all of its work here. Windows, episodes and likelihoods are updated as batches are
     * emitted, one batch after the other, so they see the records in order; a batch's records stay in the pending
     * snapshot until it is emitted. A hot swap waits for the batches in flight, so each goes out with its model.
     */
    private void flush(String trigger) {
        restorePendingOnce();
        boolean pipelined = scoringThreads != null && trigger.equals("size");
        if (!pipelined || newModelWaiting()) {
            completeInFlight(); // so every batch in flight goes out with the model that scored it
        }
        if (buffer.size() == submittedRecords) {
            return;
        }
        maybeSwap();
        List<PendingRecord> batch = List.copyOf(buffer.subList(submittedRecords, buffer.size()));
        long now = context.currentSystemTimeMs();
        OnnxScorer model = scorer;
        ModelManifest serving = manifest;
        Future<Prepared> prepared = pipelined ? scoringThreads.submit(() -> prepareOffThread(batch, model, serving))
                : CompletableFuture.completedFuture(prepareOffThread(batch, null, null));
        inFlight.addLast(new InFlight(batch, prepared, now, now - oldestArrivalMillis, trigger));
        submittedRecords += batch.size();
        // Pipelined, older batches go out while the scoring threads work on this one (they did at once if done).
        while (inFlight.size() > (pipelined ? MAX_BATCHES_IN_FLIGHT : 0)) {
            emit(inFlight.removeFirst());
        }
    }

    /** Whether the model slot holds a model this task has not switched to (or refused) yet. */
    private boolean newModelWaiting() {
        return spec.modelSlot() != null && spec.modelSlot().current().generation() != servingGeneration;
    }

    /**
     * Emits the batches in flight that are done or were handed over {@code tick} ms ago or more, and flushes the
     * records not yet in a batch when the oldest of them has waited that long. Under load batches fill and are
     * prepared long before that, so a tick does not drain the scoring threads' queue.
     */
    private void onTick(long now, long tick) {
        restorePendingOnce();
        while (!inFlight.isEmpty() && (inFlight.peekFirst().prepared().isDone()
                || now - inFlight.peekFirst().submittedMillis() >= tick)) {
            emit(inFlight.removeFirst());
        }
        if (buffer.size() > submittedRecords && now - oldestArrivalMillis >= tick) {
            flush("time");
        }
    }

    /**
     * What a batch needs before it is emitted that touches no state store and no processor context: decoding, and
     * for a tabular model (no windows) its one model call and, unless alerts use the likelihood (which the latent
     * code carries), its latent codes' bytes. Runs on a scoring thread, or here when {@code model} is null (then
     * the stream thread scores at emission).
     */
    private Prepared prepareOffThread(List<PendingRecord> batch, OnnxScorer model, ModelManifest serving) {
        DecodedBatch decoded = decode(batch);
        if (model == null || windows != null) {
            return new Prepared(decoded, null, null, null);
        }
        ModelInputs inputs = modelInputs(decoded, 0, null);
        if (inputs.rows().length == 0) {
            return new Prepared(decoded, inputs, null, null);
        }
        Scored scored = Scored.run(model, inputs.rows());
        byte[][] latents = null;
        if (scored.failure() == null && likelihoodStore == null) {
            latents = new byte[batch.size()][];
            for (int k = 0; k < latents.length; k++) {
                if (inputs.inputs()[k] != null) {
                    int row = inputs.resultRow()[k];
                    latents[k] = encodeLatent(serving, decoded.records()[k], scored.result().latent(row),
                            scored.result().score(row), null);
                }
            }
        }
        return new Prepared(decoded, inputs, scored, latents);
    }

    /** Emits every batch in flight, in order, once the scoring threads are done with it. */
    private void completeInFlight() {
        while (!inFlight.isEmpty()) {
            emit(inFlight.removeFirst());
        }
    }

    /** Emits the oldest batch not yet emitted (the first records of the buffer). */
    private void emit(InFlight batch) {
        scoreInOrder(Prepared.await(batch.prepared()));
        buffer.subList(0, batch.batch().size()).clear();
        submittedRecords -= batch.batch().size();
        if (pendingStore != null) {
            pendingStore.markChanged();
        }
        spec.metrics().microBatchFlushed(batch.batch().size(), batch.waitedMillis(), batch.trigger());
    }

    /** Forgets the batches in flight (their records stay in the pending snapshot), once the scoring threads are done. */
    private void discardInFlight() {
        for (InFlight batch : inFlight) {
            try {
                batch.prepared().get();
            } catch (ExecutionException e) {
                // Dropped anyway: its records are scored by whoever restores the snapshot.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        inFlight.clear();
        submittedRecords = 0;
    }

    /** Why a record of a batch is dead-lettered instead of scored. */
    private record Rejection(RejectionReason reason, String message) {}

    /** A batch decoded: per position the decoded record, or (null there) why it could not be decoded. */
    private record DecodedBatch(List<PendingRecord> raw, DecodedRecord[] records, Rejection[] rejected) {}

    /** A micro-batch on its way out: its records and, when done, what was prepared for it. */
    private record InFlight(List<PendingRecord> batch, Future<Prepared> prepared, long submittedMillis,
                            long waitedMillis, String trigger) {}

    /**
     * A decoded batch and, when it was scored off the stream thread, its first model call (inputs, outcome) and
     * latent codes' bytes (per position, null where none was encoded).
     */
    private record Prepared(DecodedBatch decoded, ModelInputs inputs, Scored scored, byte[][] latents) {
        static Prepared await(Future<Prepared> result) {
            try {
                return result.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("preparing a micro-batch failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
    }

    /**
     * The rows of one model call: per batch position its input (null: not scored) and why it is dead-lettered
     * (null: it is not); {@code rows} are the non-null inputs in order, {@code resultRow} maps a position to its row.
     */
    private record ModelInputs(float[][] inputs, Rejection[] rejected, float[][] rows, int[] resultRow) {}

    /** One model call's outcome, made on whichever thread ran it. */
    private record Scored(ScoreBatch result, RuntimeException failure, int rows, long nanos) {
        static Scored run(OnnxScorer model, float[][] rows) {
            long start = System.nanoTime();
            try {
                return new Scored(model.score(rows), null, rows.length, System.nanoTime() - start);
            } catch (RuntimeException e) {
                return new Scored(null, e, rows.length, System.nanoTime() - start);
            }
        }
    }

    /**
     * Windows the decoded rows {@code from..n-1} on top of {@code accepted} (whose missing entries it loads from the
     * store; null for a tabular model) and collects the rows the model is to score.
     */
    private ModelInputs modelInputs(DecodedBatch batch, int from, Map<String, SlidingWindow> accepted) {
        int n = batch.records().length;
        float[][] inputs = new float[n][];
        Rejection[] rejected = batch.rejected().clone();
        Map<String, SlidingWindow> trial = new HashMap<>();
        int scored = 0;
        for (int k = from; k < n; k++) {
            DecodedRecord p = batch.records()[k];
            if (p == null) {
                continue;
            }
            if (windows == null) {
                inputs[k] = p.row();
            } else {
                SlidingWindow w = trial.computeIfAbsent(p.entity(),
                        e -> SlidingWindow.fromBytes(acceptedWindow(accepted, e).toBytes()));
                long newest = w.lastTimestamp();
                if (w.offer(p.row(), p.eventTimestamp(), spec.windowPolicy()) == Placement.TOO_LATE) {
                    rejected[k] = new Rejection(RejectionReason.LATE_RECORD, "event time " + p.eventTimestamp() + " is "
                            + (newest - p.eventTimestamp()) + " ms before entity '" + p.entity()
                            + "''s newest windowed record (" + newest + "); windows.grace-ms is "
                            + spec.windowPolicy().graceMillis()
                            + (w.isFull() ? " and the full window holds nothing that old" : ""));
                }
                inputs[k] = rejected[k] == null && w.isFull() ? w.flatten() : null;
            }
            scored += inputs[k] == null ? 0 : 1;
        }
        float[][] rows = new float[scored][];
        int[] resultRow = new int[n];
        for (int k = from, r = 0; k < n; k++) {
            if (inputs[k] != null) {
                resultRow[k] = r;
                rows[r++] = inputs[k];
            }
        }
        return new ModelInputs(inputs, rejected, rows, resultRow);
    }

    /**
     * Scores a decoded batch with as few model calls as possible and forwards its outputs in input order. A row
     * that scores non-finite is dead-lettered and must not stay in its entity's window, so the rows after it are
     * windowed and scored again without it (rare: it takes input far outside the training range).
     */
    private void scoreInOrder(Prepared prepared) {
        DecodedBatch batch = prepared.decoded();
        int n = batch.records().length;
        // Windows as they stand after the rows accepted so far; written back to the store at the end.
        Map<String, SlidingWindow> accepted = new HashMap<>();
        // Episodes as they stand after the rows emitted so far (null: none running); dirty ones written at the end.
        Map<String, EpisodeState> episodeStates = new HashMap<>();
        Set<String> episodesChanged = new HashSet<>();
        // Score statistics as they stand after the rows emitted so far; written at the end.
        Map<String, AnomalyLikelihood.State> likelihoods = new HashMap<>();
        Map<String, DailyLikelihood.State> dailyLikelihoods = new HashMap<>();
        // Value ranges as they stand after the rows emitted so far; written at the end.
        Map<String, ValueRange.State> ranges = new HashMap<>();
        int from = 0;
        while (from < n) {
            boolean first = from == 0 && prepared.inputs() != null;
            ModelInputs in = first ? prepared.inputs() : modelInputs(batch, from, accepted);
            float[][] inputs = in.inputs();
            Rejection[] rejected = in.rejected();
            int[] resultRow = in.resultRow();
            byte[][] latents = first ? prepared.latents() : null;
            ScoreBatch result = null;
            if (in.rows().length > 0) {
                Scored scored = first && prepared.scored() != null ? prepared.scored() : Scored.run(scorer, in.rows());
                if (scored.failure() == null) {
                    result = scored.result();
                    spec.metrics().batchScored(scored.rows(), scored.nanos());
                } else {
                    RuntimeException e = scored.failure();
                    LOG.warn("event=scoring_failed rows={} error=\"{}\"", scored.rows(), e.toString());
                    for (int k = from; k < n; k++) {
                        if (rejected[k] != null) {
                            deadLetter(batch.raw().get(k), rejected[k].reason(), rejected[k].message());
                        } else if (inputs[k] != null) {
                            deadLetter(batch.raw().get(k), RejectionReason.SCORING_FAILED, "scoring failed: " + e);
                        } else {
                            offer(accepted, batch.records()[k]);
                        }
                    }
                    break;
                }
            }
            int next = n;
            for (int k = from; k < n; k++) {
                DecodedRecord p = batch.records()[k];
                if (rejected[k] != null) {
                    deadLetter(batch.raw().get(k), rejected[k].reason(), rejected[k].message());
                    continue;
                }
                if (inputs[k] == null) {
                    offer(accepted, p);
                    continue;
                }
                double score = result.score(resultRow[k]);
                if (!Double.isFinite(score)) {
                    // Values far outside the training range overflow float32; an alert with an infinite score
                    // and NaN contributions would explain nothing.
                    deadLetter(p.source(), RejectionReason.SCORING_FAILED, "the model produced a non-finite score ("
                            + score + "); the input is probably far outside the range the model was trained on");
                    if (windows != null) {
                        next = k + 1; // later rows were windowed with this one: score them again
                        break;
                    }
                    continue;
                }
                if (windows != null) {
                    offer(accepted, p);
                }
                Double likelihood = null;
                if (likelihoodStore != null) {
                    AnomalyLikelihood.Result l = AnomalyLikelihood.observe(spec.alertScoring().likelihood(),
                            likelihoodState(likelihoods, p.entity()), score);
                    likelihoods.put(p.entity(), l.next());
                    likelihood = l.logScore();
                    if (dailyLikelihoodStore != null) {
                        DailyLikelihood.Result d = DailyLikelihood.observe(spec.alertScoring().likelihood(),
                                spec.alertScoring().likelihoodDailySlots(), dailyLikelihoodState(dailyLikelihoods,
                                        p.entity()), score, p.eventTimestamp());
                        dailyLikelihoods.put(p.entity(), d.next());
                        // unusual both lately and for its time of day
                        likelihood = Math.min(likelihood, d.logScore());
                    }
                }
                List<String> outOfRange = List.of();
                if (rangeStore != null) {
                    ValueRange.Result r = ValueRange.observe(spec.alertScoring().range(), rangeState(ranges, p.entity()),
                            p.row(), p.eventTimestamp());
                    ranges.put(p.entity(), r.next());
                    outOfRange = featureNames(r.outside());
                }
                byte[] latent = latents != null && latents[k] != null ? latents[k]
                        : encodeLatent(manifest, p, result.latent(resultRow[k]), score, likelihood);
                forward(p.entity(), p.recordTimestamp(), latent, spec.latentsSink());
                newestEventTime = Math.max(newestEventTime, p.eventTimestamp());
                spec.metrics().recordScored(score, System.currentTimeMillis() - p.recordTimestamp());
                if (episodeStore != null) {
                    EpisodeState before = episodeState(episodeStates, p.entity());
                    ScoreBatch scoredBatch = result;
                    int row = resultRow[k];
                    float[] input = inputs[k];
                    // A value never seen is as unusual as the likelihood's scale can say.
                    double alertScore = likelihood == null ? score : outOfRange.isEmpty() ? likelihood : 1.0;
                    EpisodeTracker.Step step = episodes.observe(before, p.entity(), p.eventTimestamp(), alertScore,
                            outOfRange, () -> scoredBatch.topContributions(row, input, elementNames, spec.topK()));
                    if (step.state() != before) {
                        episodeStates.put(p.entity(), step.state());
                        episodesChanged.add(p.entity());
                    }
                    if (step.event() != null) {
                        emitAlert(p.entity(), p.recordTimestamp(), step.event(), likelihood == null ? null : score);
                    }
                }
            }
            from = next;
        }
        if (windows != null) {
            for (Map.Entry<String, SlidingWindow> e : accepted.entrySet()) {
                windows.put(e.getKey(), e.getValue().toBytes());
            }
        }
        for (Map.Entry<String, AnomalyLikelihood.State> e : likelihoods.entrySet()) {
            likelihoodStore.put(e.getKey(), withModelVersion(e.getValue().toBytes()));
        }
        for (Map.Entry<String, DailyLikelihood.State> e : dailyLikelihoods.entrySet()) {
            dailyLikelihoodStore.put(e.getKey(), withModelVersion(e.getValue().toBytes()));
        }
        for (Map.Entry<String, ValueRange.State> e : ranges.entrySet()) {
            rangeStore.put(e.getKey(), e.getValue().toBytes());
        }
        for (String entity : episodesChanged) {
            EpisodeState state = episodeStates.get(entity);
            if (state == null) {
                episodeStore.delete(entity);
            } else {
                episodeStore.put(entity, state.toBytes());
            }
            episodeCache.put(entity, Optional.ofNullable(state));
        }
    }

    /** Places an accepted row in its entity's window (the same placement the trial pass made). */
    private void offer(Map<String, SlidingWindow> accepted, DecodedRecord p) {
        acceptedWindow(accepted, p.entity()).offer(p.row(), p.eventTimestamp(), spec.windowPolicy());
    }

    /** The entity's running episode as of the rows handled so far; null when none. */
    private EpisodeState episodeState(Map<String, EpisodeState> states, String entity) {
        if (!states.containsKey(entity)) {
            Optional<EpisodeState> cached = episodeCache.get(entity);
            if (cached == null) {
                cached = readEpisode(entity, episodeStore.get(entity));
                episodeCache.put(entity, cached);
            }
            states.put(entity, cached.orElse(null));
        }
        return states.get(entity);
    }

    /** A stored episode; empty when none is stored, or when what is stored cannot be read (logged). */
    private static Optional<EpisodeState> readEpisode(String entity, byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(EpisodeState.fromBytes(bytes));
        } catch (RuntimeException e) {
            LOG.warn("event=episode_state_unreadable entity={} error=\"{}\"", entity, e.toString());
            return Optional.empty();
        }
    }

    /**
     * The entity's score statistics as of the rows handled so far. They belong to the model that scored them: after a
     * swap the entity warms up again, since another model's scores have another distribution.
     */
    private AnomalyLikelihood.State likelihoodState(Map<String, AnomalyLikelihood.State> states, String entity) {
        return entityState(states, likelihoodStore, entity, AnomalyLikelihood.State.EMPTY,
                bytes -> ofServingModel(bytes, AnomalyLikelihood.State::fromBytes, AnomalyLikelihood.State.EMPTY),
                "likelihood_state_unreadable");
    }

    /** The entity's score statistics per slot of the day; like {@link #likelihoodState}, they belong to a model. */
    private DailyLikelihood.State dailyLikelihoodState(Map<String, DailyLikelihood.State> states, String entity) {
        return entityState(states, dailyLikelihoodStore, entity, DailyLikelihood.State.EMPTY,
                bytes -> ofServingModel(bytes, DailyLikelihood.State::fromBytes, DailyLikelihood.State.EMPTY),
                "daily_likelihood_state_unreadable");
    }

    /** Decodes what {@link #withModelVersion} wrote: {@code empty} when another model version wrote it. */
    private <S> S ofServingModel(byte[] bytes, Function<byte[], S> decode, S empty) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] version = new byte[b.getInt()];
        b.get(version);
        if (!new String(version, StandardCharsets.UTF_8).equals(manifest.modelVersion())) {
            return empty;
        }
        byte[] rest = new byte[b.remaining()];
        b.get(rest);
        return decode.apply(rest);
    }

    /** The entity's value range as of the rows handled so far. */
    private ValueRange.State rangeState(Map<String, ValueRange.State> states, String entity) {
        return entityState(states, rangeStore, entity, ValueRange.State.EMPTY, bytes -> {
            ValueRange.State state = ValueRange.State.fromBytes(bytes);
            if (state.min().length != layout.width()) {
                throw new IllegalArgumentException(state.min().length + " features stored, the model takes "
                        + layout.width());
            }
            return state;
        }, "value_range_unreadable");
    }

    /**
     * An entity's state as of the rows handled so far: from {@code states}, else read from {@code store} (and kept in
     * {@code states}); a stored state that cannot be read is logged as {@code unreadableEvent} and starts afresh.
     */
    private static <S> S entityState(Map<String, S> states, KeyValueStore<String, byte[]> store, String entity, S empty,
                                     Function<byte[], S> decode, String unreadableEvent) {
        S state = states.get(entity);
        if (state != null) {
            return state;
        }
        byte[] bytes = store.get(entity);
        state = empty;
        if (bytes != null) {
            try {
                state = decode.apply(bytes);
            } catch (RuntimeException e) {
                LOG.warn("event={} entity={} error=\"{}\"", unreadableEvent, entity, e.toString());
            }
        }
        states.put(entity, state);
        return state;
    }

    private List<String> featureNames(int[] features) {
        if (features.length == 0) {
            return List.of();
        }
        List<String> names = new ArrayList<>(features.length);
        for (int f : features) {
            names.add(manifest.featureNames().get(f));
        }
        return names;
    }

    /** {@code state} prefixed with the serving model's version: score statistics are only valid for their model. */
    private byte[] withModelVersion(byte[] state) {
        byte[] version = manifest.modelVersion().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Integer.BYTES + version.length + state.length).putInt(version.length).put(version)
                .put(state).array();
    }

    private SlidingWindow acceptedWindow(Map<String, SlidingWindow> accepted, String entity) {
        return accepted.computeIfAbsent(entity, this::loadWindow);
    }

    /** A latent code's bytes; thread-safe (the scoring threads encode a tabular batch's codes). */
    private static byte[] encodeLatent(ModelManifest serving, DecodedRecord p, float[] latent, double score,
                                       Double likelihood) {
        List<Float> code = new ArrayList<>(latent.length);
        for (float v : latent) {
            code.add(v);
        }
        LatentCode value = LatentCode.newBuilder()
                .setEntity(p.entity())
                .setTimestamp(p.eventTimestamp())
                .setModelId(serving.modelId())
                .setModelVersion(serving.modelVersion())
                .setLatent(code)
                .setScore(score)
                .setLikelihood(likelihood)
                .build();
        try {
            return toBytes(value.toByteBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a LatentCode", e);
        }
    }

    /** @param reconstructionScore the triggering record's, when alerts are raised on the likelihood; else null */
    private void emitAlert(String entity, long recordTimestamp, EpisodeTracker.Event event, Double reconstructionScore) {
        List<FeatureContribution> contributions = new ArrayList<>(event.topFeatures().size());
        for (Contribution c : event.topFeatures()) {
            contributions.add(FeatureContribution.newBuilder()
                    .setName(c.name())
                    .setShare(c.share())
                    .setObserved(c.observed())
                    .setReconstructed(c.reconstructed())
                    .build());
        }
        Alert alert = Alert.newBuilder()
                .setEntity(entity)
                .setTimestamp(event.timestamp())
                .setScore(event.score())
                .setWarningThreshold(alertThresholds.warning())
                .setCriticalThreshold(alertThresholds.critical())
                .setSeverity(event.severity())
                .setModelId(manifest.modelId())
                .setModelVersion(manifest.modelVersion())
                .setTopFeatures(contributions)
                .setEvent(event.type())
                .setEpisodeId(event.episodeId())
                .setEpisodeStart(event.episodeStart())
                .setPeakScore(event.peakScore())
                .setDurationMs(event.durationMs())
                .setScoreBasis(spec.alertScoring().onLikelihood() ? ScoreBasis.LIKELIHOOD : ScoreBasis.RECONSTRUCTION)
                .setReconstructionScore(event.type() == AlertEvent.CLOSE ? null : reconstructionScore)
                .setOutOfRange(event.outOfRange())
                .build();
        byte[] bytes;
        try {
            bytes = toBytes(alert.toByteBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode an Alert", e);
        }
        forward(entity, recordTimestamp, bytes, spec.alertsSink());
        spec.metrics().alertEmitted(alert.getSeverity());
        spec.metrics().episodeEvent(event.type().name(), event.severity());
    }

    /** Outputs are new facts in our own schemas: they carry none of the input's headers. */
    private void forward(String entity, long timestamp, byte[] value, String sink) {
        byte[] key = entity.getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(key, value, timestamp, new RecordHeaders()), sink);
    }

    /**
     * Closes the episodes of entities that fell silent ({@code alerts.episode.idle-close-ms}), judged against the
     * newest event time this task has scored. An entity with records waiting in the micro-batch is not silent.
     */
    private void closeIdleEpisodes() {
        // Pending records are decoded only with their batch, so their entities are not known yet: emit them first.
        flush("idle-close");
        if (newestEventTime == Long.MIN_VALUE) {
            return;
        }
        List<KeyValue<String, EpisodeState>> idle = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = episodeStore.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> e = all.next();
                readEpisode(e.key, e.value).ifPresent(state -> idle.add(KeyValue.pair(e.key, state)));
            }
        }
        for (KeyValue<String, EpisodeState> e : idle) {
            EpisodeTracker.Step step = episodes.closeIfIdle(e.value, newestEventTime);
            if (step == null) {
                continue;
            }
            episodeStore.delete(e.key);
            episodeCache.put(e.key, Optional.empty());
            if (step.event() != null) {
                // Stamped with the task's newest event time: the moment the silence was judged long enough.
                emitAlert(e.key, newestEventTime, step.event(), null);
            }
        }
    }

    private void deadLetter(PendingRecord p, RejectionReason reason, String error) {
        spec.metrics().deadLettered(reason);
        if (LOG.isDebugEnabled()) {
            LOG.debug("event=dead_letter reason={} topic={} partition={} offset={} error=\"{}\"", reason,
                    p.sourceTopic(), p.sourcePartition(), p.sourceOffset(), error);
        }
        context.forward(new Record<>(p.key(), p.value(), p.recordTimestamp(), DeadLetters.headers(p.headers(), reason,
                error, p.sourceTopic(), p.sourcePartition(), p.sourceOffset())), spec.deadLetterSink());
    }

    @Override
    public void close() {
        // The batch in flight is not emitted (see the class comment): its records are in the committed snapshot.
        discardInFlight();
        scoringThreads = null; // shared with other tasks: not shut down here
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

}
