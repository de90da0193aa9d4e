package org.softmax4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

// Labels to ids 0, 1, 2, ... in order of first appearance, looked up by their UTF-8 bytes so that reading a label that
// was seen before allocates nothing. Open addressing with linear probing, kept at most half full.
final class LabelTable {
    private final List<String> names = new ArrayList<>();
    private byte[][] keys = new byte[8][];
    private int[] slots = new int[16]; // id + 1, or 0 for an empty slot

    int size() {
        return names.size();
    }

    List<String> names() {
        return names;
    }

    // The id of the label in b[start, end), or -1.
    int find(byte[] b, int start, int end) {
        int mask = slots.length - 1;
        for (int i = hash(b, start, end) & mask; ; i = (i + 1) & mask) {
            int slot = slots[i];
            if (slot == 0) {
                return -1;
            }
            if (Arrays.equals(keys[slot - 1], 0, keys[slot - 1].length, b, start, end)) {
                return slot - 1;
            }
        }
    }

    // Adds a label that find() did not find, spelled by bytes and by name, and returns its id.
    int add(byte[] bytes, String name) {
        int id = names.size();
        if (id == keys.length) {
            keys = Arrays.copyOf(keys, 2 * id);
        }
        keys[id] = bytes;
        names.add(name);
        if (2 * (id + 1) > slots.length) {
            slots = new int[2 * slots.length];
            for (int k = 0; k < id; k++) {
                place(k);
            }
        }
        place(id);
        return id;
    }

    private void place(int id) {
        int mask = slots.length - 1;
        int i = hash(keys[id], 0, keys[id].length) & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = id + 1;
    }

    private static int hash(byte[] b, int start, int end) {
        int h = 1;
        for (int i = start; i < end; i++) {
            h = 31 * h + b[i];
        }
        return h ^ (h >>> 16);
    }
}
