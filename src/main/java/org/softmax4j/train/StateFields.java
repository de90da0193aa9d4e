package org.softmax4j.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.softmax4j.engine.Parameters;

/**
 * One part of a {@link Checkpoint} (the trainer's state, a solver's, its update rule's): named numbers, arrays and
 * strings, kept exactly (doubles by their bits). Written as a count, then per field its name, a type letter and the
 * value: D double, J long, S string, d double[], f float[], i int[] (arrays as a length, then the values), big-endian.
 * A getter names the field that is missing or has the wrong type or length.
 */
final class StateFields {
    private final String part;
    private final Map<String, Object> values = new LinkedHashMap<>();

    /** @param part the part's name, for messages ("solver") */
    StateFields(String part) {
        this.part = part;
    }

    String part() {
        return part;
    }

    void put(String name, double value) {
        values.put(name, value);
    }

    void put(String name, long value) {
        values.put(name, value);
    }

    void put(String name, String value) {
        values.put(name, value);
    }

    /** Stores a copy of {@code value}. */
    void put(String name, double[] value) {
        values.put(name, value.clone());
    }

    void put(String name, float[] value) {
        values.put(name, value.clone());
    }

    void put(String name, int[] value) {
        values.put(name, value.clone());
    }

    /** W and b under {@code name}.weights and {@code name}.bias. */
    void put(String name, Parameters value) {
        put(name + ".weights", value.weights());
        put(name + ".bias", value.bias());
    }

    /** W and b stored under {@code name} by {@link #put(String, Parameters)}, into {@code into} (same shape). */
    void copy(String name, Parameters into) {
        copy(name + ".weights", into.weights());
        copy(name + ".bias", into.bias());
    }

    /**
     * The steps of an update rule's {@link UpdateRule#state()} that starts with its step count, checked: {@code state}
     * holds {@code expected} values, the first a whole number &gt;= 0.
     */
    static long stepsOf(double[] state, int expected) {
        if (state.length != expected || !(state[0] >= 0) || state[0] != Math.rint(state[0])) {
            throw new IllegalArgumentException("the update rule's state has " + state.length + " values"
                    + (state.length > 0 ? " (steps " + state[0] + ")" : "") + ", expected " + expected);
        }
        return (long) state[0];
    }

    /** The fields' names, in the order they were put. */
    java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(values.keySet());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    double getDouble(String name) {
        return get(name, Double.class);
    }

    long getLong(String name) {
        return get(name, Long.class);
    }

    int getInt(String name) {
        long value = getLong(name);
        if (value != (int) value) {
            throw new IllegalArgumentException(where(name) + " is " + value + ", expected an int");
        }
        return (int) value;
    }

    String getString(String name) {
        return get(name, String.class);
    }

    /** The array, which must hold {@code length} values. */
    double[] doubles(String name, int length) {
        return checkLength(name, get(name, double[].class).clone(), length);
    }

    /** The length of the array {@code name}, of whatever type. */
    int length(String name) {
        Object value = get(name, Object.class);
        if (!value.getClass().isArray()) {
            throw new IllegalArgumentException(where(name) + " is a " + value.getClass().getSimpleName()
                    + ", expected an array");
        }
        return java.lang.reflect.Array.getLength(value);
    }

    /** Copies the array, which must be as long as {@code into}, into it. */
    void copy(String name, double[] into) {
        System.arraycopy(doubles(name, into.length), 0, into, 0, into.length);
    }

    void copy(String name, float[] into) {
        float[] value = checkLength(name, get(name, float[].class), into.length);
        System.arraycopy(value, 0, into, 0, into.length);
    }

    void copy(String name, int[] into) {
        int[] value = checkLength(name, get(name, int[].class), into.length);
        System.arraycopy(value, 0, into, 0, into.length);
    }

    private <T> T checkLength(String name, T array, int length) {
        int actual = java.lang.reflect.Array.getLength(array);
        if (actual != length) {
            throw new IllegalArgumentException(where(name) + " has " + actual + " values, expected " + length);
        }
        return array;
    }

    private <T> T get(String name, Class<T> type) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(where(name) + " is missing");
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(where(name) + " is a " + value.getClass().getSimpleName()
                    + ", expected a " + type.getSimpleName());
        }
        return type.cast(value);
    }

    private String where(String name) {
        return "field " + part + "." + name;
    }

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(values.size());
        for (Map.Entry<String, Object> field : values.entrySet()) {
            out.writeUTF(field.getKey());
            Object value = field.getValue();
            if (value instanceof Double d) {
                out.writeByte('D');
                out.writeDouble(d);
            } else if (value instanceof Long l) {
                out.writeByte('J');
                out.writeLong(l);
            } else if (value instanceof String s) {
                out.writeByte('S');
                out.writeUTF(s);
            } else if (value instanceof double[] a) {
                out.writeByte('d');
                out.writeInt(a.length);
                for (double x : a) {
                    out.writeDouble(x);
                }
            } else if (value instanceof float[] a) {
                out.writeByte('f');
                out.writeInt(a.length);
                for (float x : a) {
                    out.writeFloat(x);
                }
            } else {
                int[] a = (int[]) value;
                out.writeByte('i');
                out.writeInt(a.length);
                for (int x : a) {
                    out.writeInt(x);
                }
            }
        }
    }

    /**
     * Reads what {@link #writeTo} wrote; {@code in} holds at most {@code remaining} more bytes, which bounds every
     * count and length before anything is allocated.
     */
    static StateFields readFrom(DataInputStream in, String part, long remaining) throws IOException {
        StateFields fields = new StateFields(part);
        int count = in.readInt();
        if (count < 0 || count > remaining) {
            throw new IllegalArgumentException("part " + part + " has " + count + " fields");
        }
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            int type = in.readByte();
            switch (type) {
                case 'D' -> fields.put(name, in.readDouble());
                case 'J' -> fields.put(name, in.readLong());
                case 'S' -> fields.put(name, in.readUTF());
                case 'd' -> {
                    double[] a = new double[length(in, 8, remaining, fields, name)];
                    for (int j = 0; j < a.length; j++) {
                        a[j] = in.readDouble();
                    }
                    fields.values.put(name, a);
                }
                case 'f' -> {
                    float[] a = new float[length(in, 4, remaining, fields, name)];
                    for (int j = 0; j < a.length; j++) {
                        a[j] = in.readFloat();
                    }
                    fields.values.put(name, a);
                }
                case 'i' -> {
                    int[] a = new int[length(in, 4, remaining, fields, name)];
                    for (int j = 0; j < a.length; j++) {
                        a[j] = in.readInt();
                    }
                    fields.values.put(name, a);
                }
                default -> throw new IllegalArgumentException(fields.where(name) + " has the unknown type " + type);
            }
        }
        return fields;
    }

    private static int length(DataInputStream in, int bytesEach, long remaining, StateFields fields, String name)
            throws IOException {
        int length = in.readInt();
        if (length < 0 || (long) length * bytesEach > remaining) {
            throw new IllegalArgumentException(fields.where(name) + " claims " + length + " values, more than the "
                    + "file holds");
        }
        return length;
    }
}
