package io.latentwatch.streaming.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class JsonObservationDecoderTest {
    private static final FeatureLayout LAYOUT = new FeatureLayout(List.of("cpu", "mem"));
    private final JsonObservationDecoder decoder = new JsonObservationDecoder(1024 * 1024);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private DecodedObservation decode(String key, String json) {
        return decoder.decode(key == null ? null : utf8(key), json == null ? null : utf8(json), 42L);
    }

    private static void rejected(ThrowingCallable call, RejectionReason reason, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidRecordException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Test
    void decodesADenseVector() {
        DecodedObservation o = decode(null, "{\"entity\":\"host-1\",\"timestamp\":1700000000000,\"values\":[1.0,2]}");
        assertThat(o.entity()).isEqualTo("host-1");
        assertThat(o.timestamp()).isEqualTo(1700000000000L);
        assertThat(o.features(LAYOUT)).containsExactly(1.0f, 2.0f);
    }

    @Test
    void decodesNamedFieldsInTheModelsOrderIgnoringExtras() {
        DecodedObservation o = decode(null,
                "{\"entity\":\"h\",\"timestamp\":5,\"fields\":{\"mem\":0.2,\"cpu\":0.5,\"disk\":9},\"note\":\"x\"}");
        assertThat(o.features(LAYOUT)).containsExactly(0.5f, 0.2f);
    }

    @Test
    void entityFallsBackToTheKeyAndTimestampToTheRecord() {
        DecodedObservation o = decode("host-9", "{\"values\":[1,2]}");
        assertThat(o.entity()).isEqualTo("host-9");
        assertThat(o.timestamp()).isEqualTo(42L);
        assertThat(decode("key", "{\"entity\":\"payload\",\"values\":[1,2]}").entity()).isEqualTo("payload");
    }

    @Test
    void rejectsWhatIsNotAnObservation() {
        rejected(() -> decode("k", "{not json"), RejectionReason.MALFORMED_JSON, "not valid JSON");
        rejected(() -> decode("k", "[1,2]"), RejectionReason.MALFORMED_JSON, "expected a JSON object");
        rejected(() -> decode("k", ""), RejectionReason.MALFORMED_JSON, "");
        rejected(() -> decode("k", null), RejectionReason.MALFORMED_JSON, "no value");
        rejected(() -> decode("k", "{\"values\":[1,2]} {}"), RejectionReason.MALFORMED_JSON, "not valid JSON");
        rejected(() -> decode("k", "{\"values\":[1,2],\"values\":[3,4]}"), RejectionReason.MALFORMED_JSON, "Duplicate");
        rejected(() -> decode("k", "{\"values\":[1,\"2\"]}"), RejectionReason.MALFORMED_JSON, "values[1]");
        rejected(() -> decode("k", "{\"values\":{\"a\":1}}"), RejectionReason.MALFORMED_JSON, "'values' must be an array");
        rejected(() -> decode("k", "{\"fields\":{\"cpu\":true}}"), RejectionReason.MALFORMED_JSON, "fields.cpu");
        rejected(() -> decode("k", "{\"timestamp\":\"yesterday\",\"values\":[1,2]}"), RejectionReason.MALFORMED_JSON, "timestamp");
        rejected(() -> decode("k", "{\"timestamp\":1.5,\"values\":[1,2]}"), RejectionReason.MALFORMED_JSON, "timestamp");
        rejected(() -> decode("k", "{\"entity\":7,\"values\":[1,2]}"), RejectionReason.MALFORMED_JSON, "entity");
        rejected(() -> decode("k", "{\"values\":[1,2],\"fields\":{\"cpu\":1}}"), RejectionReason.MALFORMED_JSON, "not both");
    }

    @Test
    void rejectsMissingPieces() {
        rejected(() -> decode(null, "{\"values\":[1,2]}"), RejectionReason.MISSING_ENTITY, "no entity");
        rejected(() -> decode("", "{\"entity\":\"\",\"values\":[1,2]}"), RejectionReason.MISSING_ENTITY, "no entity");
        rejected(() -> decode("k", "{\"entity\":\"h\"}"), RejectionReason.MISSING_FIELD, "neither");
        rejected(() -> decode("k", "{\"fields\":{\"cpu\":1}}").features(LAYOUT), RejectionReason.MISSING_FIELD, "mem");
        rejected(() -> decode("k", "{\"fields\":{\"cpu\":1,\"mem\":null}}").features(LAYOUT), RejectionReason.MISSING_FIELD, "mem");
        rejected(() -> decode("k", "{\"values\":[1,null]}").features(LAYOUT), RejectionReason.MISSING_FIELD, "null");
    }

    @Test
    void nonFiniteNumbersAreRejectedByFeaturisation() {
        rejected(() -> decode("k", "{\"values\":[NaN,1]}").features(LAYOUT), RejectionReason.NON_FINITE, "NaN");
        rejected(() -> decode("k", "{\"values\":[1,Infinity]}").features(LAYOUT), RejectionReason.NON_FINITE, "Infinity");
        rejected(() -> decode("k", "{\"values\":[1,-Infinity]}").features(LAYOUT), RejectionReason.NON_FINITE, "Infinity");
        rejected(() -> decode("k", "{\"values\":[1e400,1]}").features(LAYOUT), RejectionReason.NON_FINITE, "cpu");
        // Finite as a double but not as the model's float32.
        rejected(() -> decode("k", "{\"fields\":{\"cpu\":1e300,\"mem\":1}}").features(LAYOUT), RejectionReason.NON_FINITE, "cpu");
    }

    @Test
    void wrongVectorLengthIsRejectedByFeaturisation() {
        rejected(() -> decode("k", "{\"values\":[1,2,3]}").features(LAYOUT), RejectionReason.WRONG_LENGTH, "3 values");
    }

    @Test
    void numbersDecodeToExactlyWhatJavaParses() {
        java.util.Random r = new java.util.Random(9);
        JsonObservationDecoder decoder = new JsonObservationDecoder(1 << 20);
        for (int i = 0; i < 2000; i++) {
            double x = r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
            String[] texts = {Double.toString(x), Float.toString((float) x), String.format(java.util.Locale.ROOT, "%.4f", x),
                    String.format(java.util.Locale.ROOT, "%.17e", x)};
            for (String text : texts) {
                DecodedObservation o = decoder.decode(utf8("k"), utf8("{\"values\":[" + text + "]}"), 0);
                assertThat(o.values().get(0).doubleValue()).as(text).isEqualTo(Double.parseDouble(text));
            }
        }
        assertThat(decoder.decode(utf8("k"), utf8("{\"values\":[12345678901]}"), 0).values().get(0))
                .isEqualTo(12345678901L);
    }

    @Test
    void hostileJsonIsBounded() {
        String deep = "{\"values\":[1,2],\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        rejected(() -> decode("k", deep), RejectionReason.MALFORMED_JSON, "nesting depth");
        String longNumber = "{\"values\":[1" + "0".repeat(5000) + ",2]}";
        rejected(() -> decode("k", longNumber), RejectionReason.MALFORMED_JSON, "Number value length");
        JsonObservationDecoder small = new JsonObservationDecoder(64);
        String big = "{\"values\":[1,2],\"pad\":\"" + "x".repeat(200) + "\"}";
        assertThatThrownBy(() -> small.decode(null, utf8(big), 0))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON));
    }
}
