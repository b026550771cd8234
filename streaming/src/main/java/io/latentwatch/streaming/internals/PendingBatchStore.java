package io.latentwatch.streaming.internals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The changelogged store of the records one {@link ScoringProcessor} task holds for its next micro-batch, written
 * once per commit instead of once per record.
 *
 * <p>The processor keeps its pending records in a list and {@linkplain #track tracks} it here, marking it
 * {@linkplain #markChanged changed} whenever it adds or flushes records (a flag, nothing else). Kafka Streams flushes
 * every {@link CachedStateStore} of a task before it flushes the task's producer and commits its offsets (or its
 * transaction); this store's {@link #flushCache()} then writes the list as it stands, in chunks of about
 * {@value #CHUNK_BYTES} bytes under keys {@code 0..m-1} of a changelogged in-memory store, and deletes the chunks
 * of the previous snapshot beyond {@code m}. So the changelog holds, at every commit, exactly the records whose
 * offsets that commit covers but whose outputs were not yet produced, and a commit costs one write per chunk, not
 * one write and one tombstone per record as a cached key-value store of pending records did.
 *
 * <p>{@link CachedStateStore} is an internal interface of Kafka Streams (4.3): implementing it is the only way for a
 * store to act between a task's processing and its commit. {@code PendingBatchStoreTest} checks, on the pinned
 * version, that a commit writes the snapshot; the reliability tests that crash an instance mid-stream check that
 * no record is lost or scored twice.
 *
 * <p>Chunks are read back in key order when a task starts ({@link #restored()}); a chunk whose first byte is the
 * {@link PendingRecord} format version is one record, as the store of earlier versions wrote them (one per slot).
 */
public final class PendingBatchStore implements StateStore, CachedStateStore<Integer, byte[]> {
    /** Target size of one changelog record; a record larger than this gets a chunk of its own. */
    static final int CHUNK_BYTES = 256 * 1024;
    /** First byte of a chunk; a record stored alone by earlier versions starts with its format version, 1. */
    private static final byte CHUNK_FORMAT = 16;

    private final KeyValueStore<Integer, byte[]> chunks;
    private final int chunkBytes;
    private List<PendingRecord> tracked;
    private boolean changed;
    /** Chunks the store holds now (written by this instance, or restored). */
    private int storedChunks;

    private PendingBatchStore(KeyValueStore<Integer, byte[]> chunks, int chunkBytes) {
        this.chunks = chunks;
        this.chunkBytes = chunkBytes;
    }

    /** The builder Kafka Streams creates one store per task with; its changelog is a compacted topic. */
    public static StoreBuilder<PendingBatchStore> builder(String name) {
        return new Builder(name, CHUNK_BYTES);
    }

    /** With another chunk size (tests). */
    static StoreBuilder<PendingBatchStore> builder(String name, int chunkBytes) {
        return new Builder(name, chunkBytes);
    }

    /**
     * From now on, each commit writes {@code pending} (the processor's own list) when it has been
     * {@linkplain #markChanged changed} since the last commit.
     */
    public void track(List<PendingRecord> pending) {
        this.tracked = Objects.requireNonNull(pending, "pending");
        this.changed = false;
    }

    /** The tracked list was changed: the next commit writes it. */
    public void markChanged() {
        changed = true;
    }

    /** The records the last snapshot holds (after a restore: those the task's previous owner left pending). */
    public List<PendingRecord> restored() {
        List<PendingRecord> records = new ArrayList<>();
        int n = 0;
        for (byte[] chunk; (chunk = chunks.get(n)) != null; n++) {
            if (chunk.length > 0 && chunk[0] != CHUNK_FORMAT) {
                records.add(PendingRecord.fromBytes(chunk)); // one record per key, as earlier versions stored them
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(chunk, 1, chunk.length - 1);
            for (int count = b.getInt(), i = 0; i < count; i++) {
                byte[] record = new byte[b.getInt()];
                b.get(record);
                records.add(PendingRecord.fromBytes(record));
            }
        }
        storedChunks = n;
        return records;
    }

    /** The changelogged chunks, key 0 first (what the changelog restores; tests feed it as a restore would). */
    public KeyValueStore<Integer, byte[]> chunks() {
        return chunks;
    }

    /** Called by Kafka Streams before the task's producer is flushed and its offsets are committed. */
    @Override
    public void flushCache() {
        if (tracked == null || !changed) {
            return;
        }
        int written = 0;
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        List<byte[]> inChunk = new ArrayList<>();
        int size = 0;
        for (PendingRecord p : tracked) {
            byte[] record = p.toBytes();
            if (!inChunk.isEmpty() && size + record.length > chunkBytes) {
                chunks.put(written++, encode(inChunk, chunk));
                inChunk.clear();
                size = 0;
            }
            inChunk.add(record);
            size += Integer.BYTES + record.length;
        }
        if (!inChunk.isEmpty()) {
            chunks.put(written++, encode(inChunk, chunk));
        }
        for (int stale = written; stale < storedChunks; stale++) {
            chunks.delete(stale);
        }
        storedChunks = written;
        changed = false;
    }

    private static byte[] encode(List<byte[]> records, ByteArrayOutputStream reuse) {
        ByteBuffer header = ByteBuffer.allocate(1 + Integer.BYTES).put(CHUNK_FORMAT).putInt(records.size());
        reuse.reset();
        reuse.writeBytes(header.array());
        ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
        for (byte[] r : records) {
            reuse.writeBytes(length.clear().putInt(r.length).array());
            reuse.writeBytes(r);
        }
        return reuse.toByteArray();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Integer, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public void clearCache() {
        // Nothing cached: the snapshot lives in the processor's list until the next commit.
    }

    @Override
    public String name() {
        return chunks.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        chunks.init(context, root);
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        chunks.commit(changelogOffsets);
    }

    @Override
    public boolean managesOffsets() {
        return chunks.managesOffsets();
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return chunks.committedOffset(partition);
    }

    @Override
    public void close() {
        chunks.close();
    }

    @Override
    public boolean persistent() {
        return chunks.persistent();
    }

    @Override
    public boolean isOpen() {
        return chunks.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return chunks.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return chunks.getPosition();
    }

    private static final class Builder implements StoreBuilder<PendingBatchStore> {
        private final StoreBuilder<KeyValueStore<Integer, byte[]>> chunks;
        private final int chunkBytes;

        Builder(String name, int chunkBytes) {
            this.chunkBytes = chunkBytes;
            // Uncached: the chunks are written once per commit anyway, and a cache would hold them past it.
            this.chunks = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Integer(),
                    Serdes.ByteArray()).withLoggingEnabled(Map.of()).withCachingDisabled();
        }

        @Override
        public StoreBuilder<PendingBatchStore> withCachingEnabled() {
            throw new UnsupportedOperationException("the pending store caches by design; it takes no record cache");
        }

        @Override
        public StoreBuilder<PendingBatchStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<PendingBatchStore> withLoggingEnabled(Map<String, String> config) {
            chunks.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<PendingBatchStore> withLoggingDisabled() {
            throw new UnsupportedOperationException("the pending store exists for its changelog");
        }

        @Override
        public PendingBatchStore build() {
            return new PendingBatchStore(chunks.build(), chunkBytes);
        }

        @Override
        public Map<String, String> logConfig() {
            return chunks.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return true;
        }

        @Override
        public String name() {
            return chunks.name();
        }
    }
}
