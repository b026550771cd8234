package io.latentwatch.streaming.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.Observation;
import io.latentwatch.streaming.LatentwatchSerdes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class AvroObservationDecoderTest {
    private static final FeatureLayout LAYOUT = new FeatureLayout(List.of("cpu", "mem"));
    private final AvroObservationDecoder decoder = new AvroObservationDecoder();

    static byte[] avro(String entity, long ts, List<Float> values, Map<String, Double> fields) {
        return LatentwatchSerdes.encodeObservation(new Observation(entity, ts, values, fields));
    }

    private static void rejected(ThrowingCallable call, RejectionReason reason, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidRecordException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Test
    void trustsOnlyOurPackage() {
        assertThat(System.getProperty(AvroObservationDecoder.SERIALIZABLE_PACKAGES_PROPERTY))
                .isEqualTo("io.latentwatch.schemas");
    }

    @Test
    void refusesToRunWhenAvroTrustsEveryPackage() {
        String before = System.getProperty(AvroObservationDecoder.SERIALIZABLE_PACKAGES_PROPERTY);
        System.setProperty(AvroObservationDecoder.SERIALIZABLE_PACKAGES_PROPERTY, "io.latentwatch.schemas, *");
        try {
            assertThatThrownBy(AvroObservationDecoder::new).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("org.apache.avro.SERIALIZABLE_PACKAGES");
        } finally {
            System.setProperty(AvroObservationDecoder.SERIALIZABLE_PACKAGES_PROPERTY, before);
        }
    }

    @Test
    void decodesVectorsAndFields() {
        DecodedObservation o = decoder.decode(null, avro("h1", 7L, List.of(1f, 2f), null), 0);
        assertThat(o.entity()).isEqualTo("h1");
        assertThat(o.timestamp()).isEqualTo(7L);
        assertThat(o.features(LAYOUT)).containsExactly(1f, 2f);
        DecodedObservation f = decoder.decode(null, avro("h1", 7L, null, Map.of("mem", 0.25, "cpu", 0.5)), 0);
        assertThat(f.features(LAYOUT)).containsExactly(0.5f, 0.25f);
    }

    @Test
    void emptyEntityFallsBackToTheKey() {
        DecodedObservation o = decoder.decode("k1".getBytes(StandardCharsets.UTF_8), avro("", 7L, List.of(1f, 2f), null), 0);
        assertThat(o.entity()).isEqualTo("k1");
        rejected(() -> decoder.decode(null, avro("", 7L, List.of(1f, 2f), null), 0), RejectionReason.MISSING_ENTITY, "no entity");
    }

    @Test
    void rejectsBytesThatAreNotAnObservation() {
        rejected(() -> decoder.decode(null, null, 0), RejectionReason.MALFORMED_AVRO, "no value");
        rejected(() -> decoder.decode(null, "{\"values\":[1,2]}".getBytes(StandardCharsets.UTF_8), 0),
                RejectionReason.MALFORMED_AVRO, "single-object");
        rejected(() -> decoder.decode(null, new byte[] {(byte) 0xC3, 0x01, 1, 2}, 0), RejectionReason.MALFORMED_AVRO, "single-object");
        byte[] good = avro("h1", 7L, List.of(1f, 2f), null);
        rejected(() -> decoder.decode(null, Arrays.copyOf(good, good.length - 3), 0), RejectionReason.MALFORMED_AVRO, "cannot decode");
        rejected(() -> decoder.decode(null, Arrays.copyOf(good, good.length + 2), 0), RejectionReason.MALFORMED_AVRO, "trailing");
    }

    @Test
    void rejectsAnAvroRecordOfAnotherSchema() throws Exception {
        byte[] latent = LatentwatchSerdes.latentCode().serializer().serialize("t",
                new LatentCode("h1", 7L, "m", "1", List.of(0.5f), 0.1, null));
        rejected(() -> decoder.decode(null, latent, 0), RejectionReason.MALFORMED_AVRO, "another schema");
    }

    @Test
    void neitherOrBothOfValuesAndFields() {
        rejected(() -> decoder.decode(null, avro("h", 1L, null, null), 0), RejectionReason.MISSING_FIELD, "neither");
        rejected(() -> decoder.decode(null, avro("h", 1L, List.of(1f, 2f), Map.of("cpu", 1.0)), 0),
                RejectionReason.MALFORMED_AVRO, "not both");
    }

    @Test
    void nonFiniteAndWrongLengthAreRejectedByFeaturisation() {
        rejected(() -> decoder.decode(null, avro("h", 1L, List.of(Float.NaN, 1f), null), 0).features(LAYOUT),
                RejectionReason.NON_FINITE, "NaN");
        rejected(() -> decoder.decode(null, avro("h", 1L, List.of(1f, Float.POSITIVE_INFINITY), null), 0).features(LAYOUT),
                RejectionReason.NON_FINITE, "Infinity");
        rejected(() -> decoder.decode(null, avro("h", 1L, List.of(1f), null), 0).features(LAYOUT),
                RejectionReason.WRONG_LENGTH, "1 values");
    }

    @Test
    void lengthsClaimedByHostileBytesAllocateNothing() {
        byte[] prefix = Arrays.copyOf(avro("h", 1L, null, null), 10); // header and fingerprint
        // entity claims a 2 GB string
        byte[] hugeString = concat(prefix, zigzag(2_000_000_000L), "abc".getBytes(StandardCharsets.UTF_8));
        // values claims 2^30 floats
        byte[] hugeArray = concat(prefix, zigzag(1), "h".getBytes(StandardCharsets.UTF_8), zigzag(0), zigzag(1),
                zigzag(1L << 30), new byte[8]);
        // negative lengths
        byte[] negative = concat(prefix, zigzag(-5), new byte[4]);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (byte[] hostile : List.of(hugeString, hugeArray, negative)) {
                rejected(() -> decoder.decode(null, hostile, 0), RejectionReason.MALFORMED_AVRO, "");
            }
        });
    }

    private static byte[] zigzag(long n) {
        long v = (n << 1) ^ (n >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
