package io.latentwatch.streaming.internals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes UTF-8 JSON observations:
 * <pre>
 * {"entity":"host-1","timestamp":1700000000000,"values":[1.0,2.0]}
 * {"entity":"host-1","timestamp":1700000000000,"fields":{"cpu":0.5,"mem":0.2}}
 * </pre>
 * {@code entity} may be omitted when the record has a key, {@code timestamp} when the record timestamp will
 * do. Other members are ignored. The parser is hardened against hostile input: bounded size, nesting and
 * number length, no duplicate members, nothing after the object.
 */
final class JsonObservationDecoder implements ObservationDecoder {
    /** Our shape nests two deep; leave room for ignored extra members but not for stack-eating depth. */
    static final int MAX_NESTING_DEPTH = 16;
    /** Longest number literal: a double needs about 25 characters; longer ones only cost parse time. */
    static final int MAX_NUMBER_LENGTH = 100;

    private final ObjectReader reader;

    JsonObservationDecoder(int maxRecordBytes) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxDocumentLength(maxRecordBytes)
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(maxRecordBytes)
                .maxNameLength(Math.min(maxRecordBytes, 1024))
                .build();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                // Parse NaN and Infinity so that featurisation rejects them as NON_FINITE, which says more
                // than "not JSON" to whoever reads the dead-letter topic.
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.reader = new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readerFor(JsonNode.class);
    }

    @Override
    public DecodedObservation decode(byte[] key, byte[] value, long recordTimestamp) {
        if (value == null) {
            throw malformed("the record has no value (null)");
        }
        JsonNode root;
        try {
            root = reader.readTree(value);
        } catch (IOException | RuntimeException e) {
            throw new InvalidRecordException(RejectionReason.MALFORMED_JSON, "not valid JSON: " + firstLine(e), e);
        }
        if (root == null || !root.isObject()) {
            throw malformed("expected a JSON object, found " + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType()));
        }
        String entity = DecodedObservation.entityOf(entity(root.get("entity")), key);
        long timestamp = timestamp(root.get("timestamp"), recordTimestamp);
        JsonNode values = present(root.get("values"));
        JsonNode fields = present(root.get("fields"));
        if (values != null && fields != null) {
            throw malformed("give either 'values' or 'fields', not both");
        }
        if (values != null) {
            return new DecodedObservation(entity, timestamp, values(values), null);
        }
        if (fields != null) {
            return new DecodedObservation(entity, timestamp, null, fields(fields));
        }
        throw new InvalidRecordException(RejectionReason.MISSING_FIELD, "the object has neither 'values' nor 'fields'");
    }

    private static String entity(JsonNode node) {
        if (present(node) == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw malformed("'entity' must be a string, found " + node.getNodeType());
        }
        return node.textValue();
    }

    private static long timestamp(JsonNode node, long recordTimestamp) {
        if (present(node) == null) {
            return recordTimestamp;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw malformed("'timestamp' must be an integer (epoch milliseconds), found " + node);
        }
        return node.longValue();
    }

    private static List<Number> values(JsonNode node) {
        if (!node.isArray()) {
            throw malformed("'values' must be an array of numbers, found " + node.getNodeType());
        }
        List<Number> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(number(node.get(i), "values[" + i + "]"));
        }
        return out;
    }

    private static Map<String, Number> fields(JsonNode node) {
        if (!node.isObject()) {
            throw malformed("'fields' must be an object of numbers, found " + node.getNodeType());
        }
        Map<String, Number> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.put(e.getKey(), number(e.getValue(), "fields." + e.getKey()));
        }
        return out;
    }

    /** A number, or null for JSON null (featurisation reports it as missing). */
    private static Number number(JsonNode node, String where) {
        if (node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw malformed("'" + where + "' must be a number, found " + node.getNodeType());
        }
        return node.numberValue();
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static InvalidRecordException malformed(String message) {
        return new InvalidRecordException(RejectionReason.MALFORMED_JSON, message);
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
