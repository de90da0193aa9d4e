package org.softmax4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.softmax4j.engine.Parameters;
import org.w3c.dom.Document;

class WeightPictureTest {
    /** Three classes of 2×2 weights, hand-set: w = +2 is the largest |w|. */
    private static Model model() {
        Parameters parameters = new Parameters(3, 4);
        float[] w = parameters.weights();
        // class 0: +2 (top left), 0, −2 (bottom left), +1
        w[0] = 2;
        w[1] = 0;
        w[2] = -2;
        w[3] = 1;
        // class 1: −1 everywhere
        for (int j = 4; j < 8; j++) {
            w[j] = -1;
        }
        // class 2: 0.5 at bottom right only
        w[11] = 0.5f;
        parameters.bias()[1] = 0.25f;
        return new Model(parameters, List.of("zero", "one", "<a&b>"), null, ModelTest.training());
    }

    @Test
    void coloursAreWhiteAtZeroRedUpBlueDown() {
        WeightPicture picture = new WeightPicture(model(), 2, 2, 5, 1);
        assertEquals(2.0, picture.maxAbsWeight());
        assertEquals(0xFFFFFF, picture.rgb(0));
        assertEquals(0xFF0000, picture.rgb(2));
        assertEquals(0x0000FF, picture.rgb(-2));
        assertEquals(0xFF8080, picture.rgb(1)); // 255·(1 − 0.5) = 127.5, rounded to 128
        assertEquals(0x8080FF, picture.rgb(-1));
        assertEquals(0xFF0000, picture.rgb(7), "beyond m is clamped");
    }

    /** Layout: a margin and gaps of one cell; tile k at column k % C, row k / C; cell (r, c) = feature r·W + c. */
    @Test
    void pixelsSitWhereTheLayoutSays() throws IOException {
        WeightPicture picture = new WeightPicture(model(), 2, 2, 2, 3);
        assertEquals(2, picture.columns());
        assertEquals(2, picture.rows());
        assertEquals(3 * (2 * 3 + 1), picture.imageWidth());
        assertEquals(3 * (2 * 3 + 1), picture.imageHeight());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(picture.png()));
        assertEquals(21, image.getWidth());
        assertEquals(21, image.getHeight());
        // Class 0 at (3, 3): cells of 3×3 pixels.
        assertEquals(0xFF0000, rgb(image, 3, 3), "class 0, feature 0 (+2)");
        assertEquals(0xFF0000, rgb(image, 5, 5), "class 0, feature 0, its last pixel");
        assertEquals(0xFFFFFF, rgb(image, 6, 3), "class 0, feature 1 (0)");
        assertEquals(0x0000FF, rgb(image, 3, 6), "class 0, feature 2 (−2), row 1");
        assertEquals(0xFF8080, rgb(image, 6, 6), "class 0, feature 3 (+1)");
        // Class 1 to the right, after a gap of one cell: x = 3 + 6 + 3 = 12.
        assertEquals(0xE0E0E0, rgb(image, 9, 3), "the gap between tiles");
        assertEquals(0x8080FF, rgb(image, 12, 3), "class 1 (−1)");
        // Class 2 on the second row: y = 12; its bottom-right cell at (15, 15).
        assertEquals(0xFFFFFF, rgb(image, 3, 12), "class 2, feature 0 (0)");
        assertEquals(0xFFBFBF, rgb(image, 6, 15), "class 2, feature 3 (+0.5: 255·0.75 = 191.25, rounded to 191)");
        assertEquals(0xE0E0E0, rgb(image, 12, 12), "no fourth tile");
        assertEquals(0xE0E0E0, rgb(image, 0, 0), "the margin");
    }

    @Test
    void svgIsWellFormedAndNamesEveryClass() throws Exception {
        String svg = new WeightPicture(model(), 2, 2, 5, 10).svg();
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("svg", document.getDocumentElement().getTagName());
        // 12 cells + the background + the colour bar.
        assertEquals(12 + 2, document.getElementsByTagName("rect").getLength());
        assertTrue(svg.contains(">&lt;a&amp;b&gt; (b = 0)</text>"), svg);
        assertTrue(svg.contains(">one (b = 0.25)</text>"), svg);
        assertTrue(svg.contains("fill=\"#ff0000\"><title>w[0][0] = 2.0</title>"), svg);
        assertTrue(svg.contains("fill=\"#0000ff\"><title>w[0][2] = -2.0</title>"), svg);
        assertTrue(svg.contains(">-2</text>") && svg.contains(">2</text>"), "the colour bar's ends: " + svg);
    }

    @Test
    void shapesAndOptionsAreChecked() {
        assertArrayEquals(new int[] {8, 8}, WeightPicture.squareShape(64));
        assertArrayEquals(new int[] {28, 28}, WeightPicture.squareShape(784));
        assertNull(WeightPicture.squareShape(65));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new WeightPicture(model(), 3, 2, 5, 1));
        assertEquals("a tile of 3x2 cells holds 6 features, expected the model's 4", shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WeightPicture(model(), 2, 2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new WeightPicture(model(), 2, 2, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new WeightPicture(model(), 2, 2, 5, 257));
    }

    @Test
    void numbersAreCompact() {
        assertEquals("0", WeightPicture.compact(0));
        assertEquals("0.25", WeightPicture.compact(0.25));
        assertEquals("-1", WeightPicture.compact(-1));
        assertEquals("2.48", WeightPicture.compact(2.484896659851074));
        assertEquals("1.23E-7", WeightPicture.compact(1.234e-7));
    }

    @Test
    void anUntrainedModelIsWhite() {
        Model blank = new Model(new Parameters(2, 4), List.of("a", "b"), null, ModelTest.training());
        WeightPicture picture = new WeightPicture(blank, 2, 2, 5, 1);
        assertEquals(0.0, picture.maxAbsWeight());
        assertEquals(0xFFFFFF, rgb(picture.image(), 1, 1));
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xFFFFFF;
    }
}
