package org.softmax4j.model;

import java.math.BigDecimal;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * The typed field readers of {@link ModelFile}'s parser: each takes a JSON element and the path it was found at, and
 * returns the value or throws {@link BadField} with a message that names the path, what was expected and what was
 * found.
 */
final class JsonFields {
    private JsonFields() {
    }

    /** A field that is missing or does not hold what it should; the message names it by its JSON path. */
    static final class BadField extends RuntimeException {
        BadField(String message) {
            super(message, null, false, false);
        }
    }

    static void checkFields(JsonObject object, Set<String> known, String prefix, int version) {
        for (String key : object.keySet()) {
            if (!known.contains(key)) {
                throw new BadField("unexpected field " + ModelFile.quote(prefix + key) + " (format version " + version
                        + " has no such field)");
            }
        }
    }

    static JsonElement require(JsonObject object, String key, String prefix) {
        JsonElement element = object.get(key);
        if (element == null) {
            throw new BadField("missing field \"" + prefix + key + "\"");
        }
        return element;
    }

    static String string(JsonElement element, String path) {
        if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isString()) {
            return element.getAsString();
        }
        throw new BadField(path + " is " + describe(element) + ", expected a string");
    }

    static JsonArray array(JsonElement element, String path) {
        if (element.isJsonArray()) {
            return element.getAsJsonArray();
        }
        throw new BadField(path + " is " + describe(element) + ", expected an array");
    }

    static JsonObject object(JsonElement element, String path) {
        if (element.isJsonObject()) {
            return element.getAsJsonObject();
        }
        throw new BadField(path + " is " + describe(element) + ", expected an object");
    }

    static long integer(JsonElement element, String path, long min, long max) {
        String expected = ", expected an integer" + (min == Long.MIN_VALUE ? "" : " from " + min + " to " + max);
        if (!isNumber(element)) {
            throw new BadField(path + " is " + describe(element) + expected);
        }
        long value;
        try {
            value = new BigDecimal(element.getAsString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new BadField(path + " is " + element.getAsString() + expected);
        }
        if (value < min || value > max) {
            throw new BadField(path + " is " + value + expected);
        }
        return value;
    }

    static boolean bool(JsonElement element, String path) {
        if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isBoolean()) {
            return element.getAsBoolean();
        }
        throw new BadField(path + " is " + describe(element) + ", expected true or false");
    }

    static float finiteFloat(JsonElement element, String path) {
        if (isNumber(element)) {
            // The token as written, through Float.parseFloat: the shortest decimal of a float reads back exactly.
            float value = Float.parseFloat(element.getAsString());
            if (Float.isFinite(value)) {
                return value;
            }
            throw new BadField(path + " is " + element.getAsString() + ", beyond the float range, expected a "
                    + "finite number");
        }
        throw new BadField(path + " is " + describe(element) + ", expected a finite number");
    }

    static double finiteDouble(JsonElement element, String path) {
        if (isNumber(element)) {
            double value = Double.parseDouble(element.getAsString());
            if (Double.isFinite(value)) {
                return value;
            }
            throw new BadField(path + " is " + element.getAsString() + ", beyond the double range, expected a "
                    + "finite number");
        }
        throw new BadField(path + " is " + describe(element) + ", expected a finite number"
                + (path.equals("binarize_threshold") ? " or null" : ""));
    }

    /** A metric: a number, null for NaN, or the strings "Infinity" and "-Infinity". */
    static double metric(JsonElement element, String path) {
        if (element.isJsonNull()) {
            return Double.NaN;
        }
        if (isNumber(element)) {
            return Double.parseDouble(element.getAsString());
        }
        if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isString()) {
            switch (element.getAsString()) {
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                case "NaN":
                    return Double.NaN;
                default:
                    break;
            }
        }
        throw new BadField(path + " is " + describe(element)
                + ", expected a number, null (not known) or \"Infinity\" or \"-Infinity\"");
    }

    static boolean isNumber(JsonElement element) {
        return element.isJsonPrimitive() && element.getAsJsonPrimitive().isNumber();
    }

    /**
     * How a JSON value reads in a message. A bare NaN or Infinity token, which lenient Gson hands over as a string,
     * is shown as it was written.
     */
    static String describe(JsonElement element) {
        if (element.isJsonNull()) {
            return "null";
        }
        if (element.isJsonArray()) {
            return "an array";
        }
        if (element.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive primitive = element.getAsJsonPrimitive();
        if (primitive.isString()) {
            String text = primitive.getAsString();
            return switch (text) {
                case "NaN", "Infinity", "-Infinity", "+Infinity" -> text;
                default -> ModelFile.quote(text);
            };
        }
        return primitive.getAsString();
    }
}
