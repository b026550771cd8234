package io.latentwatch.streaming.internals;

import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.schemas.LatentCode;
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

/**
 * The ceiling for benchmarks: decodes and featurises like {@link ScoringProcessor}, then encodes a
 * {@link LatentCode} of zeros (same size as a real one) and forwards it, without a model. Bad records are dropped
 * (benchmarks send none).
 */
public final class PassThroughProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final ScoringSpec spec;
    private final ObservationDecoder decoder;
    private final FeatureLayout layout;
    private final List<Float> zeros;
    private ProcessorContext<byte[], byte[]> context;

    public PassThroughProcessor(ScoringSpec spec) {
        this.spec = spec;
        this.decoder = ObservationDecoder.forFormat(spec.inputFormat(), spec.maxRecordBytes());
        this.layout = new FeatureLayout(spec.manifest().featureNames());
        List<Float> z = new ArrayList<>();
        for (int i = 0; i < spec.manifest().latentDim(); i++) {
            z.add(0f);
        }
        this.zeros = List.copyOf(z);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        spec.metrics().recordReceived();
        DecodedObservation obs;
        try {
            obs = decoder.decode(record.key(), record.value(), record.timestamp());
            obs.features(layout);
        } catch (InvalidRecordException e) {
            return;
        }
        LatentCode code = LatentCode.newBuilder().setEntity(obs.entity()).setTimestamp(obs.timestamp())
                .setModelId(spec.manifest().modelId()).setModelVersion(spec.manifest().modelVersion())
                .setLatent(zeros).setScore(0.0).build();
        ByteBuffer buf;
        try {
            buf = code.toByteBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] value = new byte[buf.remaining()];
        buf.get(value);
        context.forward(new Record<>(obs.entity().getBytes(StandardCharsets.UTF_8), value, record.timestamp(),
                new RecordHeaders()), spec.latentsSink());
        spec.metrics().recordScored(0.0, System.currentTimeMillis() - record.timestamp());
    }
}
