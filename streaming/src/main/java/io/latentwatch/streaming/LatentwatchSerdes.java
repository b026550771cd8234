package io.latentwatch.streaming;

import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.Observation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serdes and codecs for the records this application writes (and for producing Avro observations), all in
 * Avro single-object encoding. Keys of the output topics are UTF-8 entity names: use {@link Serdes#String()}.
 *
 * <p>These decoders trust their input (they read our own output topics). The streaming application reads
 * observations through its own hardened decoder instead.
 */
public final class LatentwatchSerdes {

    private LatentwatchSerdes() {}

    /** Serde of {@link LatentCode}, the values of {@code latents.topic}. */
    public static Serde<LatentCode> latentCode() {
        return serde(LatentCode.getEncoder(), LATENT_CODE_DECODER);
    }

    /** Decodes LatentCodes written with the current schema or an earlier one (likelihood null). */
    private static final BinaryMessageDecoder<LatentCode> LATENT_CODE_DECODER =
            withHistory(LatentCode.createDecoder(null), List.of("LatentCode-1.avsc"));

    /**
     * Decodes Alerts written with the current schema or an earlier one (resolved to the current one, new fields
     * taking their defaults): alerts written before episodes read as one-record OPEN events.
     */
    private static final BinaryMessageDecoder<Alert> ALERT_DECODER =
            withHistory(Alert.createDecoder(null), List.of("Alert-1.avsc", "Alert-2.avsc", "Alert-3.avsc"));

    /** Serde of {@link Alert}, the values of {@code alerts.topic}; reads earlier Alert schemas too. */
    public static Serde<Alert> alert() {
        return serde(Alert.getEncoder(), ALERT_DECODER);
    }

    /** Serde of {@link Observation}, for producers writing {@code input.format=avro}. */
    public static Serde<Observation> observation() {
        return serde(Observation.getEncoder(), Observation.getDecoder());
    }

    /** Decodes a value of {@code latents.topic}. */
    public static LatentCode decodeLatentCode(byte[] bytes) {
        return decode(LATENT_CODE_DECODER, bytes, "LatentCode");
    }

    /** Decodes a value of {@code alerts.topic}. */
    public static Alert decodeAlert(byte[] bytes) {
        return decode(ALERT_DECODER, bytes, "Alert");
    }

    private static <T> BinaryMessageDecoder<T> withHistory(BinaryMessageDecoder<T> decoder, List<String> previous) {
        for (String file : previous) {
            decoder.addSchema(historySchema(file));
        }
        return decoder;
    }

    /** An earlier schema kept in the schemas jar's {@code io/latentwatch/schemas/history/} folder. */
    static Schema historySchema(String file) {
        try (InputStream in = Alert.class.getResourceAsStream("history/" + file)) {
            if (in == null) {
                throw new IllegalStateException("the schemas jar lacks io/latentwatch/schemas/history/" + file);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the earlier schema " + file, e);
        }
    }

    /** Encodes an observation for {@code input.format=avro}. */
    public static byte[] encodeObservation(Observation observation) {
        return encode(Observation.getEncoder(), observation, "Observation");
    }

    private static <T> Serde<T> serde(BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
        Serializer<T> serializer = (topic, value) -> value == null ? null : encode(encoder, value, topic);
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : decode(decoder, bytes, topic);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static <T> byte[] encode(BinaryMessageEncoder<T> encoder, T value, String what) {
        try {
            ByteBuffer buffer = encoder.encode(value);
            byte[] out = new byte[buffer.remaining()];
            buffer.get(out);
            return out;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + what + ": " + e.getMessage(), e);
        }
    }

    private static <T> T decode(BinaryMessageDecoder<T> decoder, byte[] bytes, String what) {
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + what + ": " + e.getMessage(), e);
        }
    }
}
