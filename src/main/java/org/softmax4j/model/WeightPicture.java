package org.softmax4j.model;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * What a model learned, as a picture: one tile per class, its row of W laid out as an H×W grid of cells (feature
 * j = r·W + c at row r, column c: the row-major order of image pixels), tiles left to right in rows of
 * {@code columns}. Colour is the weight on one scale for all classes, so tiles compare: white at 0, red for
 * positive (pure red at +m), blue for negative (pure blue at −m), m = max|w| over the whole model. A red cell is a
 * pixel whose being on raises the class's logit; a blue one lowers it.
 *
 * <p>PNG: cells of {@code scale}×{@code scale} pixels, tiles apart by one cell on a grey background, no text (nothing
 * needs a font). SVG: the same grid, each tile captioned with its class name and bias (the name alone for a model
 * without a bias), and a colour bar with −m, 0, +m.
 */
public final class WeightPicture {
    private static final int BACKGROUND = 0xE0E0E0;
    private static final int CAPTION = 18;
    private static final int LEGEND = 40;

    private final Model model;
    private final int height;
    private final int width;
    private final int columns;
    private final int scale;
    private final double maxAbs;

    /**
     * @param height  rows of cells per tile
     * @param width   columns of cells per tile; height × width must be the model's number of features
     * @param columns tiles per row of the picture, at least 1
     * @param scale   pixels per cell side, 1 to 256
     */
    public WeightPicture(Model model, int height, int width, int columns, int scale) {
        if (height < 1 || width < 1 || (long) height * width != model.numFeatures()) {
            throw new IllegalArgumentException("a tile of " + height + "x" + width + " cells holds "
                    + (long) height * width + " features, expected the model's " + model.numFeatures());
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns is " + columns + ", expected at least 1");
        }
        if (scale < 1 || scale > 256) {
            throw new IllegalArgumentException("scale is " + scale + ", expected 1 to 256 pixels per cell");
        }
        this.model = model;
        this.height = height;
        this.width = width;
        this.columns = Math.min(columns, model.numClasses());
        this.scale = scale;
        double max = 0;
        for (float w : model.parameters().weights()) {
            max = Math.max(max, Math.abs(w));
        }
        this.maxAbs = max;
        long pixels = (long) imageWidth() * imageHeight();
        if (pixels > 100_000_000L) {
            throw new IllegalArgumentException("the picture would be " + imageWidth() + "x" + imageHeight()
                    + " pixels, expected at most 10^8: lower the scale");
        }
    }

    /** The tile shape of a square number of features (64 gives 8×8), or null when D is not a square. */
    public static int[] squareShape(int numFeatures) {
        int side = (int) Math.round(Math.sqrt(numFeatures));
        return side * side == numFeatures ? new int[] {side, side} : null;
    }

    /** m, the weight drawn as pure red (and −m as pure blue). */
    public double maxAbsWeight() {
        return maxAbs;
    }

    public int columns() {
        return columns;
    }

    public int rows() {
        return (model.numClasses() + columns - 1) / columns;
    }

    /** Width of the PNG in pixels: a margin of one cell, tiles one cell apart. */
    public int imageWidth() {
        return scale * (columns * (width + 1) + 1);
    }

    /** Height of the PNG in pixels. */
    public int imageHeight() {
        return scale * (rows() * (height + 1) + 1);
    }

    /** The colour of weight w as 0xRRGGBB: white at 0, pure red at +m, pure blue at −m, linear between. */
    public int rgb(double w) {
        double t = maxAbs == 0 ? 0 : Math.max(-1, Math.min(1, w / maxAbs));
        int fade = (int) Math.round(255 * (1 - Math.abs(t)));
        return t >= 0 ? 0xFF0000 | fade << 8 | fade : fade << 16 | fade << 8 | 0xFF;
    }

    public BufferedImage image() {
        BufferedImage image = new BufferedImage(imageWidth(), imageHeight(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[image.getWidth()];
        java.util.Arrays.fill(row, BACKGROUND);
        for (int y = 0; y < image.getHeight(); y++) {
            image.setRGB(0, y, row.length, 1, row, 0, row.length);
        }
        for (int k = 0; k < model.numClasses(); k++) {
            int left = scale * (1 + (k % columns) * (width + 1));
            int top = scale * (1 + (k / columns) * (height + 1));
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    int colour = rgb(model.weight(k, r * width + c));
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            image.setRGB(left + c * scale + dx, top + r * scale + dy, colour);
                        }
                    }
                }
            }
        }
        return image;
    }

    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image(), "png", out)) {
                throw new IllegalStateException("this Java runtime has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public String svg() {
        int cell = scale;
        int tileWidth = width * cell;
        int tileHeight = height * cell;
        int pictureWidth = Math.max(cell * (columns * (width + 1) + 1), 240);
        int pictureHeight = cell + rows() * (CAPTION + tileHeight + cell) + LEGEND;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", pictureWidth,
                pictureHeight, pictureWidth, pictureHeight));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#%06x\"/>%n", pictureWidth,
                pictureHeight, BACKGROUND));
        for (int k = 0; k < model.numClasses(); k++) {
            int left = cell * (1 + (k % columns) * (width + 1));
            int top = cell + (k / columns) * (CAPTION + tileHeight + cell);
            svg.append(String.format(Locale.ROOT, "<g><title>%s</title>%n", escape(model.classNames().get(k))));
            // A model without a bias has no b to show: the caption is the class name alone.
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s%s</text>%n", left,
                    top + CAPTION - 5, escape(model.classNames().get(k)),
                    model.hasBias() ? " (b = " + compact(model.bias(k)) + ")" : ""));
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    float w = model.weight(k, r * width + c);
                    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                            + "fill=\"#%06x\"><title>w[%d][%d] = %s</title></rect>%n", left + c * cell,
                            top + CAPTION + r * cell, cell, cell, rgb(w), k, r * width + c, Float.toString(w)));
                }
            }
            svg.append("</g>\n");
        }
        int barTop = pictureHeight - LEGEND + 6;
        int barWidth = Math.min(200, pictureWidth - 2 * cell);
        svg.append("<defs><linearGradient id=\"scale\"><stop offset=\"0\" stop-color=\"#0000ff\"/>"
                + "<stop offset=\"0.5\" stop-color=\"#ffffff\"/><stop offset=\"1\" stop-color=\"#ff0000\"/>"
                + "</linearGradient></defs>\n");
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"10\" "
                + "fill=\"url(#scale)\" stroke=\"#808080\"/>%n", cell, barTop, barWidth));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", cell, barTop + 24,
                compact(-maxAbs)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">0</text>%n",
                cell + barWidth / 2, barTop + 24));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                cell + barWidth, barTop + 24, compact(maxAbs)));
        svg.append("</svg>\n");
        return svg.toString();
    }

    public byte[] svgBytes() {
        return svg().getBytes(StandardCharsets.UTF_8);
    }

    /** Three significant digits, no trailing zeros: 0.25, 2.48, -1, 0. */
    static String compact(double value) {
        if (value == 0) {
            return "0";
        }
        return new java.math.BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros().toString();
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(ch < 0x20 ? ' ' : ch);
            }
        }
        return out.toString();
    }
}
